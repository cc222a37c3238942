"""Schema.org JSON-LD for search engines: MedicalWebPage for documents, MedicalClinic for the clinic."""

import json

from django.utils.safestring import mark_safe

_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def as_script(data):
    """A <script type="application/ld+json"> element that no text inside can break out of."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308 -- escaped above


def clinic(profile, url):
    if profile is None:
        return None
    return {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": profile.name,
        "url": url,
        "telephone": profile.phone,
        "email": profile.email,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": profile.street_address,
            "addressLocality": profile.locality,
            "addressRegion": profile.region,
            "postalCode": profile.postal_code,
            "addressCountry": "US",
        },
        "openingHours": profile.hours_lines,
        "areaServed": profile.service_area,
    }


def medical_web_page(document, shown, url, profile=None, review=None):
    """`shown` is the version on the page (live, or a draft for staff); `review` the review of exactly
    that version, if any (a review of another version is not claimed)."""
    modified = document.published_at or document.updated
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": shown.title,
        "description": shown.summary,
        "url": url,
        "dateModified": modified.isoformat() if modified else None,
    }
    if review is not None:
        data["lastReviewed"] = review.reviewed_on.isoformat()
        data["reviewedBy"] = {
            "@type": "Person",
            "name": review.reviewer_name,
            "description": review.reviewer_credentials,
        }
    if profile is not None:
        data["publisher"] = {"@type": "MedicalClinic", "name": profile.name, "telephone": profile.phone}
    return {key: value for key, value in data.items() if value is not None}
