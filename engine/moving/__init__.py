"""Moving a whole site between the embedded store and PostgreSQL (``repo-engine migrate-data``): what a site
holds in backend-neutral terms and its checksums (``holding``), each backend's side (``embedded``,
``postgres``), and the copy that reads one, writes the other and checks the result (``copying``)."""
