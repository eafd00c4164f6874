"""The static website: pages, archive, feeds and sitemap."""
