from apps.policies.selectors import footer_documents


def policy_links(request) -> dict:
    """The footer's links to the published documents, on every page."""
    return {"policy_links": footer_documents()}
