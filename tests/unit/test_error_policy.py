"""Our error codes reach clients; anything unexpected is masked."""

from __future__ import annotations

from graphql import GraphQLError

from backend.schema.errors import ErrorPolicy
from backend.services.errors import Conflict


def _process(original: Exception) -> GraphQLError:
    policy = ErrorPolicy()
    error = GraphQLError(str(original), path=["structure"], original_error=original)
    return policy._process_errors([error])[0]


def test_a_domain_error_keeps_its_french_message_and_gets_its_code() -> None:
    processed = _process(Conflict("La structure a été modifiée entre-temps."))
    assert processed.message == "La structure a été modifiée entre-temps."
    assert processed.extensions == {"code": "CONFLICT"}
    assert processed.path == ["structure"]


def test_an_unexpected_exception_is_masked_without_its_text() -> None:
    processed = _process(RuntimeError('SELECT * FROM "user_account" WHERE secret = 1'))
    assert "SELECT" not in processed.message
    assert processed.message == "Erreur interne du serveur. L'incident a été enregistré."
    assert processed.extensions == {"code": "INTERNAL_SERVER_ERROR"}


def test_a_document_error_from_graphql_core_keeps_its_message_and_gets_a_code() -> None:
    error = GraphQLError("Cannot query field 'nope' on type 'Query'.")
    processed = ErrorPolicy()._process_errors([error])[0]
    assert processed.message == "Cannot query field 'nope' on type 'Query'."
    assert processed.extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}


def test_a_refusal_keeps_its_own_code() -> None:
    error = GraphQLError("Requête trop profonde.", extensions={"code": "QUERY_REFUSED"})
    assert ErrorPolicy()._process_errors([error])[0].extensions == {"code": "QUERY_REFUSED"}
