"""The emulator's own reading of Telegram's HTML parse mode, and where it meets the product's."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import BotAPIEmulator, SentMessage
from emulator.rules.entities import html_problem, parse_html
from tips import Library, render_evidence, render_sources, render_tip, render_tip_with_evidence
from tips.markup import telegram_html_problems, visible_text

# --- valid markup: the text and entities Telegram returns ---------------------------------


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        pytest.param(
            "<b>bold <i>both</i></b> <u>under</u>",
            "bold both under",
            [
                {"type": "bold", "offset": 0, "length": 9},
                {"type": "italic", "offset": 5, "length": 4},
                {"type": "underline", "offset": 10, "length": 5},
            ],
            id="nested formatting",
        ),
        pytest.param(
            "<b><i>x</i></b>",
            "x",
            [
                {"type": "bold", "offset": 0, "length": 1},
                {"type": "italic", "offset": 0, "length": 1},
            ],
            id="same span: outer entity first",
        ),
        pytest.param(
            "🫘 <b>Beans 👍</b> <i>ok</i>",
            "🫘 Beans 👍 ok",
            [
                {"type": "bold", "offset": 3, "length": 8},
                {"type": "italic", "offset": 12, "length": 2},
            ],
            id="UTF-16 offsets: an emoji counts two",
        ),
        pytest.param(
            "&lt;b&gt; &amp; &quot;q&quot; &#65;&#x1F600;<b>x</b>",
            '<b> & "q" A😀x',
            [{"type": "bold", "offset": 13, "length": 1}],
            id="named and numeric entities",
        ),
        pytest.param(
            "<strong>a</strong><em>b</em><ins>c</ins><s>d</s><strike>e</strike><del>f</del>",
            "abcdef",
            [
                {"type": "bold", "offset": 0, "length": 1},
                {"type": "italic", "offset": 1, "length": 1},
                {"type": "underline", "offset": 2, "length": 1},
                {"type": "strikethrough", "offset": 3, "length": 1},
                {"type": "strikethrough", "offset": 4, "length": 1},
                {"type": "strikethrough", "offset": 5, "length": 1},
            ],
            id="synonyms",
        ),
        pytest.param(
            '<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>',
            "ab",
            [
                {"type": "spoiler", "offset": 0, "length": 1},
                {"type": "spoiler", "offset": 1, "length": 1},
            ],
            id="spoilers",
        ),
        pytest.param(
            '<a href="https://x.org/?a=1&amp;b=2">link</a>',
            "link",
            [{"type": "text_link", "offset": 0, "length": 4, "url": "https://x.org/?a=1&b=2"}],
            id="a href, entity in the attribute decoded",
        ),
        pytest.param(
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
            "👍",
            [
                {
                    "type": "custom_emoji",
                    "offset": 0,
                    "length": 2,
                    "custom_emoji_id": "5368324170671202286",
                }
            ],
            id="custom emoji",
        ),
        pytest.param(
            '<pre><code class="language-python">print(1 &lt; 2)</code></pre>',
            "print(1 < 2)",
            [{"type": "pre", "offset": 0, "length": 12, "language": "python"}],
            id="pre>code names the language",
        ),
        pytest.param(
            "<pre>a\n b</pre>",
            "a\n b",
            [{"type": "pre", "offset": 0, "length": 4}],
            id="pre without language",
        ),
        pytest.param(
            '<code class="language-python">x</code>',
            "x",
            [{"type": "code", "offset": 0, "length": 1}],
            id="standalone code has no language",
        ),
        pytest.param(
            "<blockquote>q</blockquote>\n<blockquote expandable>e</blockquote>",
            "q\ne",
            [
                {"type": "blockquote", "offset": 0, "length": 1},
                {"type": "expandable_blockquote", "offset": 2, "length": 1},
            ],
            id="blockquotes",
        ),
        pytest.param(
            '<blockquote><b>q</b> <a href="https://x.org"><i>l</i></a></blockquote>',
            "q l",
            [
                {"type": "blockquote", "offset": 0, "length": 3},
                {"type": "bold", "offset": 0, "length": 1},
                {"type": "text_link", "offset": 2, "length": 1, "url": "https://x.org"},
                {"type": "italic", "offset": 2, "length": 1},
            ],
            id="formatting and links inside a quote",
        ),
        pytest.param("<b></b>x", "x", [], id="empty entities are dropped"),
        pytest.param("a > b", "a > b", [], id="a bare > is accepted"),
        pytest.param(
            "<B>x</B >", "x", [{"type": "bold", "offset": 0, "length": 1}], id="tag names any case"
        ),
    ],
)
def test_valid_markup_gives_text_and_entities(
    html: str, text: str, entities: list[dict[str, Any]]
) -> None:
    assert parse_html(html) == (text, entities)
    assert html_problem(html) is None


# --- invalid markup: the first reason, worded as Telegram words it ------------------------


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        pytest.param(
            "a < b",
            'Unsupported start tag "" at byte offset 2',
            id="bare < starts a nameless tag",
        ),
        pytest.param("x <b", "Unclosed start tag at byte offset 2", id="unclosed start tag"),
        pytest.param(
            "<div>x</div>",
            'Unsupported start tag "div" at byte offset 0',
            id="unsupported tag",
        ),
        pytest.param(
            "é <div>x</div>",
            'Unsupported start tag "div" at byte offset 3',
            id="offsets count bytes, not characters",
        ),
        pytest.param(
            "<b>never closed",
            'Can\'t find end tag corresponding to start tag "b"',
            id="never closed",
        ),
        pytest.param(
            "<b><i>x</i>",
            'Can\'t find end tag corresponding to start tag "b"',
            id="outer tag never closed",
        ),
        pytest.param(
            "<b>x</b></b>",
            "Unexpected end tag at byte offset 8",
            id="end tag with nothing open",
        ),
        pytest.param(
            "<b><i>x</b></i>",
            'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
            id="end tags crossed",
        ),
        pytest.param("<b>x</b", "Unclosed end tag at byte offset 4", id="unclosed end tag"),
        pytest.param(
            "fish & chips",
            'Character "&" must be escaped as "&amp;" at byte offset 5',
            id="bare &",
        ),
        pytest.param(
            "a&nbsp;b",
            'Unsupported HTML entity "&nbsp;" at byte offset 1',
            id="unsupported named entity",
        ),
        pytest.param(
            "&amp",
            'HTML entity "&amp" must end with ";" at byte offset 0',
            id="entity without ;",
        ),
        pytest.param(
            "&#0;",
            'Invalid HTML entity "&#0;" at byte offset 0',
            id="numeric entity zero",
        ),
        pytest.param(
            "&#xD800;",
            'Invalid HTML entity "&#xD800;" at byte offset 0',
            id="numeric entity a lone surrogate",
        ),
        pytest.param(
            "<a>x</a>",
            'Tag "a" must have attribute "href" at byte offset 0',
            id="a without href",
        ),
        pytest.param(
            '<a href="">x</a>',
            'Tag "a" must have attribute "href" at byte offset 0',
            id="a with empty href",
        ),
        pytest.param(
            '<a href="?a=1&b=2">x</a>',
            'Character "&" must be escaped as "&amp;" at byte offset 13',
            id="bare & in an attribute",
        ),
        pytest.param(
            "<span>x</span>",
            'Tag "span" must have class "tg-spoiler" at byte offset 0',
            id="span without the spoiler class",
        ),
        pytest.param(
            "<tg-emoji>👍</tg-emoji>",
            'Tag "tg-emoji" must have attribute "emoji-id" at byte offset 0',
            id="tg-emoji without emoji-id",
        ),
        pytest.param(
            "<code><b>x</b></code>",
            'Tag "b" can\'t be nested inside tag "code" at byte offset 6',
            id="formatting inside code",
        ),
        pytest.param(
            "<pre><b>x</b></pre>",
            'Tag "b" can\'t be nested inside tag "pre" at byte offset 5',
            id="formatting inside pre",
        ),
        pytest.param(
            "<pre><code><i>x</i></code></pre>",
            'Tag "i" can\'t be nested inside tag "code" at byte offset 11',
            id="formatting inside pre>code",
        ),
        pytest.param(
            '<a href="x"><a href="y">z</a></a>',
            'Tag "a" can\'t be nested in itself at byte offset 12',
            id="link inside a link",
        ),
        pytest.param(
            '<a href="x"><code>z</code></a>',
            'Tag "code" can\'t be nested inside tag "a" at byte offset 12',
            id="code inside a link",
        ),
        pytest.param(
            "<blockquote><blockquote>z</blockquote></blockquote>",
            'Tag "blockquote" can\'t be nested in itself at byte offset 12',
            id="blockquote inside a blockquote",
        ),
        pytest.param("<b/>", 'Unsupported start tag "b/" at byte offset 0', id="self-closing tag"),
        pytest.param("<!-- note -->", 'Unsupported start tag "!--" at byte offset 0', id="comment"),
        pytest.param(
            "<a href=http://x.org>x</a>",
            "Unexpected end of name token at byte offset 8",
            id="unquoted attribute value",
        ),
        pytest.param(
            "<b class>x</b>",
            'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
            id="attribute without a value",
        ),
        pytest.param(
            '<b ="x">y</b>',
            'Empty attribute name in the tag "b" at byte offset 0',
            id="attribute without a name",
        ),
        pytest.param(
            '<a href="x>y</a>',
            "Unclosed start tag at byte offset 0",
            id="unclosed attribute quote",
        ),
        pytest.param(
            "<b>&nbsp;</i>",
            'Unsupported HTML entity "&nbsp;" at byte offset 3',
            id="first problem wins",
        ),
    ],
)
def test_invalid_markup_names_the_first_problem(html: str, reason: str) -> None:
    assert html_problem(html) == reason


# --- through the Bot API ------------------------------------------------------------------


async def send(telegram: BotAPIEmulator, text: str) -> tuple[int, dict[str, Any]]:
    return await telegram.call("sendMessage", {"chat_id": 42, "text": text, "parse_mode": "HTML"})


async def test_a_sent_message_carries_text_and_utf16_entities(telegram: BotAPIEmulator) -> None:
    status, body = await send(telegram, '🫘 <b>Beans</b> <a href="https://x.org">👍</a>')
    assert status == 200
    assert body["result"]["text"] == "🫘 Beans 👍"
    assert body["result"]["entities"] == [
        {"type": "bold", "offset": 3, "length": 5},
        {"type": "text_link", "offset": 9, "length": 2, "url": "https://x.org"},
    ]
    [sent] = telegram.sent
    assert sent.visible_text == "🫘 Beans 👍"


@pytest.mark.parametrize(
    ("text", "description"),
    [
        pytest.param(
            "<b>x",
            "Bad Request: can't parse entities: "
            'Can\'t find end tag corresponding to start tag "b"',
            id="unclosed tag",
        ),
        pytest.param(
            "a&nbsp;b",
            'Bad Request: can\'t parse entities: Unsupported HTML entity "&nbsp;" at byte offset 1',
            id="unsupported entity",
        ),
        pytest.param("<b> </b>", "Bad Request: message text is empty", id="only a space"),
        pytest.param("&#32;", "Bad Request: message text is empty", id="only an encoded space"),
        pytest.param(
            "&amp;" * 4097, "Bad Request: message is too long", id="4097 visible characters"
        ),
    ],
)
async def test_bad_text_is_a_400_with_telegrams_description(
    telegram: BotAPIEmulator, text: str, description: str
) -> None:
    assert await send(telegram, text) == (
        400,
        {"ok": False, "error_code": 400, "description": description},
    )
    assert telegram.sent == []


async def test_the_length_limit_counts_visible_characters(telegram: BotAPIEmulator) -> None:
    status, body = await send(telegram, "<b>" + "&amp;" * 4096 + "</b>")
    assert status == 200
    assert len(body["result"]["text"]) == 4096


@pytest.mark.parametrize(
    ("text", "parse_mode", "visible"),
    [
        pytest.param("<b>x", "HTML", "<b>x", id="invalid HTML is as written"),
        pytest.param("<b>x</b>", "html", "x", id="parse mode in any case"),
        pytest.param("<b>x</b>", None, "<b>x</b>", id="no parse mode is as written"),
    ],
)
def test_visible_text_of_a_message_that_is_not_valid_html_is_as_written(
    text: str, parse_mode: str | None, visible: str
) -> None:
    assert SentMessage(1, 1, text, parse_mode, None, 0.0).visible_text == visible


# --- agreement with the product's own checker ---------------------------------------------
#
# The product (tips.markup) and the emulator were written apart; here, and only here, they
# meet. They agree on everything the product ships and on the samples below. Where they part,
# the emulator follows the docs' "all other entities can't contain each other" more closely:
# it refuses <code> inside <a> and links inside <tg-emoji>, which Telegram only un-formats.

BOTH_ACCEPT = [
    "plain text",
    "<b>bold <i>both</i></b> and <u>under</u>, <s>gone</s>",
    '<a href="https://doi.org/10.1/x?a=1&amp;b=2">Lucas S et al., 2018</a>, <i>Nature</i>',
    '<pre><code class="language-python">print(1 &lt; 2)</code></pre>',
    "<blockquote expandable>long</blockquote>",
    '<span class="tg-spoiler">s</span> <tg-spoiler>t</tg-spoiler>',
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "&lt;&gt;&amp;&quot;&#39;&#x27;",
    "a > b",
    "🫘 <b>Beans 👍</b>",
]
BOTH_REFUSE = [
    "<b>unclosed",
    "<div>x</div>",
    "fish & chips",
    "a&nbsp;b",
    "&amp no semicolon",
    "a < b",
    "<a>no href</a>",
    "<span>x</span>",
    "<tg-emoji>👍</tg-emoji>",
    "<code><b>x</b></code>",
    '<a href="x"><a href="y">z</a></a>',
    "<blockquote><blockquote>z</blockquote></blockquote>",
    "<b>x</i>",
    "</b>",
    "<br/>",
    "<!-- note -->",
    "&#0;",
    "<b class>x</b>",
    "<a href=http://x.org>x</a>",
]


@pytest.mark.parametrize("html", BOTH_ACCEPT)
def test_both_accept(html: str) -> None:
    assert telegram_html_problems(html) == []
    assert html_problem(html) is None
    assert parse_html(html)[0] == visible_text(html)


@pytest.mark.parametrize("html", BOTH_REFUSE)
def test_both_refuse(html: str) -> None:
    assert telegram_html_problems(html) != []
    assert html_problem(html) is not None


@pytest.mark.parametrize("name", ["library", "shipped"])  # "shipped" fails until the new schema
def test_both_accept_every_tip_with_the_same_visible_text(
    name: str, request: pytest.FixtureRequest
) -> None:
    library: Library = request.getfixturevalue(name)
    renders = (render_tip, render_tip_with_evidence, render_evidence, render_sources)
    texts = [render(tip, library) for tip in library.tips for render in renders]
    assert len(texts) > 20
    for text in texts:
        assert telegram_html_problems(text) == [], text
        assert html_problem(text) is None, text
        assert parse_html(text)[0] == visible_text(text)
