"""API plumbing every endpoint shares: authentication, the scoped base view, errors, parsers,
throttles, schema hooks and the strict serializer. Apps import it; it imports no app but
`audiences.models` (organisations, keys and roles scope every request)."""
