"""Search: text analysis, the thesaurus, the index and ranked queries."""
