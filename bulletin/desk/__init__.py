"""``bulletin desk``: the editors' web app, apart from the public ``serve``."""
