"""The platform languages ``GET /platform-languages-list`` answers (one per mojito code)."""

from __future__ import annotations

from typing import Any

FLAG_IMAGE = "https://cdn.jsdelivr.net/npm/country-flag-emoji-json@2.0.0/dist/images/{}.svg"

# code, English name, local name, flag country, accents (locale, name)
_LANGUAGES: tuple[tuple[str, str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "ar",
        "Arabic",
        "العربية",
        "SA",
        (
            ("ar-SA", "Arabic (Saudi Arabia)"),
            ("ar-EG", "Arabic (Egypt)"),
            ("ar-AE", "Arabic (United Arab Emirates)"),
        ),
    ),
    ("bg", "Bulgarian", "Български", "BG", (("bg-BG", "Bulgarian (Bulgaria)"),)),
    (
        "zh",
        "Chinese",
        "中文",
        "CN",
        (
            ("zh-CN", "Chinese (Mandarin, Simplified)"),
            ("zh-TW", "Chinese (Taiwanese Mandarin, Traditional)"),
            ("zh-HK", "Chinese (Cantonese, Traditional)"),
        ),
    ),
    ("hr", "Croatian", "Hrvatski", "HR", (("hr-HR", "Croatian (Croatia)"),)),
    ("cs", "Czech", "Čeština", "CZ", (("cs-CZ", "Czech (Czechia)"),)),
    ("da", "Danish", "Dansk", "DK", (("da-DK", "Danish (Denmark)"),)),
    (
        "nl",
        "Dutch",
        "Nederlands",
        "NL",
        (("nl-NL", "Dutch (Netherlands)"), ("nl-BE", "Dutch (Belgium)")),
    ),
    (
        "en",
        "English",
        "English",
        "US",
        (
            ("en-US", "English (United States)"),
            ("en-GB", "English (United Kingdom)"),
            ("en-AU", "English (Australia)"),
            ("en-IN", "English (India)"),
        ),
    ),
    ("fil", "Filipino", "Filipino", "PH", (("fil-PH", "Filipino (Philippines)"),)),
    ("fi", "Finnish", "Suomi", "FI", (("fi-FI", "Finnish (Finland)"),)),
    (
        "fr",
        "French",
        "Français",
        "FR",
        (("fr-FR", "French (France)"), ("fr-CA", "French (Canada)")),
    ),
    (
        "de",
        "German",
        "Deutsch",
        "DE",
        (
            ("de-DE", "German (Germany)"),
            ("de-AT", "German (Austria)"),
            ("de-CH", "German (Switzerland)"),
        ),
    ),
    ("el", "Greek", "Ελληνικά", "GR", (("el-GR", "Greek (Greece)"),)),
    ("hi", "Hindi", "हिन्दी", "IN", (("hi-IN", "Hindi (India)"),)),
    ("hu", "Hungarian", "Magyar", "HU", (("hu-HU", "Hungarian (Hungary)"),)),
    ("id", "Indonesian", "Bahasa Indonesia", "ID", (("id-ID", "Indonesian (Indonesia)"),)),
    ("it", "Italian", "Italiano", "IT", (("it-IT", "Italian (Italy)"),)),
    ("ja", "Japanese", "日本語", "JP", (("ja-JP", "Japanese (Japan)"),)),
    ("ko", "Korean", "한국어", "KR", (("ko-KR", "Korean (Korea)"),)),
    ("ms", "Malay", "Bahasa Melayu", "MY", (("ms-MY", "Malay (Malaysia)"),)),
    ("no", "Norwegian", "Norsk", "NO", (("nb-NO", "Norwegian Bokmål (Norway)"),)),
    ("pl", "Polish", "Polski", "PL", (("pl-PL", "Polish (Poland)"),)),
    ("pt", "Portuguese", "Português", "PT", (("pt-PT", "Portuguese (Portugal)"),)),
    ("br", "Portuguese (Brazil)", "Português (Brasil)", "BR", (("pt-BR", "Portuguese (Brazil)"),)),
    ("ro", "Romanian", "Română", "RO", (("ro-RO", "Romanian (Romania)"),)),
    ("ru", "Russian", "Русский", "RU", (("ru-RU", "Russian (Russia)"),)),
    ("sk", "Slovak", "Slovenčina", "SK", (("sk-SK", "Slovak (Slovakia)"),)),
    (
        "es",
        "Spanish",
        "Español",
        "ES",
        (("es-ES", "Spanish (Spain)"), ("es-MX", "Spanish (Mexico)")),
    ),
    ("sv", "Swedish", "Svenska", "SE", (("sv-SE", "Swedish (Sweden)"),)),
    ("ta", "Tamil", "தமிழ்", "IN", (("ta-IN", "Tamil (India)"),)),
    ("th", "Thai", "ไทย", "TH", (("th-TH", "Thai (Thailand)"),)),
    ("tr", "Turkish", "Türkçe", "TR", (("tr-TR", "Turkish (Türkiye)"),)),
    ("uk", "Ukrainian", "Українська", "UA", (("uk-UA", "Ukrainian (Ukraine)"),)),
    ("vi", "Vietnamese", "Tiếng Việt", "VN", (("vi-VN", "Vietnamese (Vietnam)"),)),
)


def _flag(country: str) -> tuple[str, str]:
    points = [0x1F1E6 + ord(letter) - ord("A") for letter in country]
    return "".join(map(chr, points)), " ".join(f"U+{p:X}" for p in points)


def platform_languages() -> list[dict[str, Any]]:
    """Every platform language, sorted by English name, in the documented shape."""
    languages = []
    for code, english, local, country, accents in _LANGUAGES:
        emoji, unicode = _flag(country)
        languages.append(
            {
                "code": code,
                "name_english": english,
                "name_local": local,
                "flag_image": FLAG_IMAGE.format(country),
                "flag_emoji": emoji,
                "flag_unicode": unicode,
                "coaching_interface": True,
                "interview_interface": True,
                "admin_interface": True,
                "accents": [{"code": c, "name": n} for c, n in accents],
            }
        )
    return sorted(languages, key=lambda language: language["name_english"])


#: The mojito language codes the sandbox knows.
LANGUAGE_CODES_SERVED: frozenset[str] = frozenset(entry[0] for entry in _LANGUAGES)
