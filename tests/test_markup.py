"""Telegram HTML validation: what Telegram accepts, and the exact problem text for what not."""

import pytest

from tips.markup import telegram_html_problems, visible_text

VALID = [
    "plain text, no markup at all",
    "<b>bold</b> <strong>strong</strong> <i>i</i> <em>em</em> <u>u</u> <ins>ins</ins>",
    "<s>s</s> <strike>strike</strike> <del>del</del>",
    '<span class="tg-spoiler">hidden</span> <tg-spoiler>hidden</tg-spoiler>',
    '<a href="https://example.org/?a=1&amp;b=2">a link</a>',
    "<code>x = 1</code>",
    '<pre>block</pre> <pre><code class="language-python">print(1)</code></pre>',
    "<blockquote>quote</blockquote> <blockquote expandable>long quote</blockquote>",
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "<b>bold <i>bold italic <u>and underlined</u></i></b>",
    "<blockquote><b>bold</b> in a quote with <a href='https://x.org'>a link</a></blockquote>",
    "1 &lt; 2 &amp;&amp; 3 &gt; 2, &quot;quoted&quot; &#169; &#x1F600;",
    "a > b is fine unescaped",
    "<B>upper-case tags</B>",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_telegram_html_has_no_problems(text: str) -> None:
    assert telegram_html_problems(text) == []


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("<div>x</div>", ["unknown tag <div>"]),
        ("a<br/>b", ["unknown tag <br/>"]),
        ("<b/>", ["self-closing tag <b/>"]),
        ("<b>never closed", ["unclosed tag <b>"]),
        ("closed </i> but never opened", ["unexpected closing tag </i>"]),
        (
            "<b><i>crossed</b></i>",
            ["unexpected closing tag </b> (expected </i>)", "unclosed tag <b>"],
        ),
        ("fish & chips", ["unescaped '&' (write &amp;)"]),
        ("a < b", ["unescaped '<' (write &lt;)"]),
        ("x <b", ["unescaped '<' (write &lt;)"]),
        ("&nbsp;", ["unknown entity &nbsp; (write &amp;nbsp;)"]),
        ("&amp without semicolon", ["entity &amp needs a closing ';'"]),
        ("&#xD800;", ["invalid character reference &#xD800;"]),
        ("<a>no target</a>", ["<a> needs the href attribute"]),
        ("<span>plain span</span>", ['<span> needs class="tg-spoiler"']),
        ("<tg-emoji>👍</tg-emoji>", ["<tg-emoji> needs the emoji-id attribute"]),
        ("<code><b>x</b></code>", ["<b> cannot be inside <code>"]),
        ("<blockquote><blockquote>x</blockquote></blockquote>", ["<blockquote> cannot be nested"]),
        ("<!-- note -->", ["unsupported markup <!-- note -->"]),
        ("<script>alert(1)</script>", ["unknown tag <script>"]),
    ],
)
def test_problems_are_named_exactly(text: str, problems: list[str]) -> None:
    assert telegram_html_problems(text) == problems


def test_every_problem_is_reported_once() -> None:
    text = "a & b & c <p>x</p> <b>"
    assert telegram_html_problems(text) == [
        "unescaped '&' (write &amp;)",
        "unknown tag <p>",
        "unclosed tag <b>",
    ]


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("<b>Oats</b> &amp; apples", "Oats & apples"),
        ('<a href="https://x.org">link</a>', "link"),
        ("1 &lt; 2 &gt; 0 &quot;q&quot; &#65;&#x42;", '1 < 2 > 0 "q" AB'),
        ("line one\n<i>line two</i>", "line one\nline two"),
        ('<pre><code class="language-py">x</code></pre>', "x"),
        ("&nbsp;", "&nbsp;"),  # unknown entities stay as typed, as Telegram shows them
    ],
)
def test_visible_text_drops_tags_and_decodes_entities(text: str, visible: str) -> None:
    assert visible_text(text) == visible


def test_visible_text_is_what_the_length_limit_counts() -> None:
    text = "<b>" + "x" * 4096 + "</b>"
    assert len(text) > 4096
    assert len(visible_text(text)) == 4096


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<b class>x</b>", "<b> does not take the class attribute"),
        ('<i style="x">x</i>', "<i> does not take the style attribute"),
        ("<a href=https://example.org>x</a>", "<a> needs its href value in quotes"),
    ],
)
def test_attributes_telegram_refuses_are_reported(text, problem):
    assert telegram_html_problems(text) == [problem]


def test_the_attributes_telegram_takes_pass():
    ok = '<pre><code class="language-python">x</code></pre><blockquote expandable>q</blockquote>'
    assert telegram_html_problems(ok + "<a href='https://example.org'>x</a>") == []
