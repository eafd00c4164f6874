"""The story: weekly statistics, the rules, what is news, and what the article says."""
