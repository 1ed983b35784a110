"""Text plugin rendering: Markdown to HTML, raw HTML never passed through."""

from __future__ import annotations

from tlboard.dashboard.plugins.text import markdown_html, tensor_html


def test_bold_becomes_strong():
    assert markdown_html("**bold**") == "<p><strong>bold</strong></p>"


def test_script_tag_is_escaped():
    out = markdown_html("hi <script>alert(1)</script>")
    assert "<script" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


def test_block_html_and_attributes_are_escaped():
    out = markdown_html('<div onclick="x()">\n<img src=x onerror=alert(1)>\n</div>')
    assert "<div" not in out and "<img" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out


def test_unsafe_link_schemes_are_dropped():
    out = markdown_html("[a](javascript:alert(1)) [b](https://example.org/x) [c](runs/a)")
    assert "javascript" not in out
    assert '<a href="https://example.org/x">b</a>' in out
    assert '<a href="runs/a">c</a>' in out


def test_code_keeps_angle_brackets_as_text():
    assert markdown_html("```\n<b>\n```") == "<pre><code>&lt;b&gt;\n</code></pre>"


def test_markdown_table_syntax():
    out = markdown_html("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<th>a</th>" in out and "<td>2</td>" in out


def test_rank2_tensor_is_a_table_of_markdown_cells():
    out = tensor_html([["**x**", "y"], ["z", "<i>w</i>"]], (2, 2))
    assert out.startswith("<table>") and out.count("<tr>") == 2 and out.count("<td>") == 4
    assert "<td><p><strong>x</strong></p></td>" in out
    assert "&lt;i&gt;w&lt;/i&gt;" in out and "<i>" not in out
