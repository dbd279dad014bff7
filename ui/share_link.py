"""Share this run: the address bar always holds the whole run (`state.sync_url`), so the link to
share is the page's own address at the moment of the click, copied by a small button."""

from __future__ import annotations

import streamlit as st

_JS = """
export default function ({ parentElement }) {
  const button = parentElement.querySelector("button");
  const said = parentElement.querySelector(".asknext-copied");
  if (button.__bound) return;
  button.__bound = true;
  button.addEventListener("click", async () => {
    const link = window.location.href;
    try {
      await navigator.clipboard.writeText(link);
      said.textContent = "Copied: paste it anywhere to open this very run.";
    } catch (err) {
      said.textContent = link; // no clipboard here (an insecure page): show it to copy by hand
    }
  });
}
"""
_HTML = (
    '<button class="asknext-copy" type="button">Copy share link</button>'
    '<div class="asknext-copied" aria-live="polite"></div>'
)
_CSS = """
.asknext-copy { width: 100%; min-height: 2.6rem; border-radius: 0.5rem; cursor: pointer;
  border: 1px solid rgba(49, 51, 63, 0.2); background: white; font: inherit; }
.asknext-copy:hover { border-color: #1f6fb4; color: #1f6fb4; }
.asknext-copied { font-size: 0.85rem; color: #5c6370; margin-top: 0.35rem; word-break: break-all; }
"""
_mount = st.components.v2.component(
    "asknext.share_link", html=_HTML, css=_CSS, js=_JS, isolate_styles=False
)


def button() -> None:
    """The copy button, with a line saying what the link holds."""
    _mount(key="share_link")
    st.caption("The link holds the whole run: settings, seed and every label given.")
