"""The web app behind ``bulletin serve``: the site preview and the subscription pages."""
