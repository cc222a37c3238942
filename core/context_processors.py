"""What every template needs from the site itself: the page's canonical address."""

from django.core.exceptions import DisallowedHost


def canonical_url(request):
    # The address without its query string: /contact/?kind=insurance is a view of /contact/.
    try:
        return {"canonical_url": request.build_absolute_uri(request.path)}
    except DisallowedHost:  # the 400 page for a forged Host header must still render
        return {"canonical_url": ""}
