"""Sign-in: who is making each request (session or API token), local and single sign-on pages, sign-out."""
