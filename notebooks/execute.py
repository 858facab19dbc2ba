#!/usr/bin/python3
"""Executes a notebook with the Kotlin kernel (nbclient, as nbconvert --execute does) and writes the executed copy.

Cells tagged `live-progress-check` are also checked at the kernel-protocol level: while that one cell runs, the
training's progress display (a display_data with a display id) must receive at least two update_display_data
messages, routed to that cell (nbclient hands a cell only the IOPub messages whose parent is its execute request),
with increasing step counts. Usage: execute.py NOTEBOOK OUTPUT [--timeout SECONDS]
"""
import re
import sys

import nbformat
from nbclient import NotebookClient


class CheckingClient(NotebookClient):
    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self.progress = {}  # cell index -> [(msg_type, display_id, html)]

    def process_message(self, msg, cell, cell_index):
        kind = msg["msg_type"]
        if kind in ("display_data", "update_display_data"):
            content = msg["content"]
            display_id = content.get("transient", {}).get("display_id")
            html = content.get("data", {}).get("text/html", "")
            if display_id and "tuneless-progress" in html:
                self.progress.setdefault(cell_index, []).append((kind, display_id, html))
        return super().process_message(msg, cell, cell_index)


def check_progress(client, nb):
    """Returns a list of problems (empty when every tagged cell saw its display move)."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if "live-progress-check" not in cell.get("metadata", {}).get("tags", []):
            continue
        msgs = client.progress.get(i, [])
        shown = [d for kind, d, _ in msgs if kind == "display_data"]
        if not shown:
            problems.append(f"cell {i}: no progress display was shown")
            continue
        steps = [int(m.group(1)) for kind, d, html in msgs
                 if kind == "update_display_data" and d == shown[0] for m in [re.search(r"step (\d+)/", html)] if m]
        if len(steps) < 2 or any(b <= a for a, b in zip(steps, steps[1:])):
            problems.append(f"cell {i}: display {shown[0]} got step updates {steps} during the cell; "
                            "expected at least 2 with increasing steps")
        else:
            print(f"live progress: cell {i} display updated {len(steps)} times during the cell, steps {steps[0]} … {steps[-1]}")
    return problems


def main():
    args = sys.argv[1:]
    timeout = 600
    if "--timeout" in args:
        k = args.index("--timeout")
        timeout = int(args[k + 1])
        del args[k:k + 2]
    if len(args) != 2:
        sys.exit("usage: execute.py NOTEBOOK OUTPUT [--timeout SECONDS]")
    nb = nbformat.read(args[0], as_version=4)
    client = CheckingClient(nb, kernel_name="kotlin", timeout=timeout)
    try:
        client.execute()
    finally:
        nbformat.write(nb, args[1])
    problems = check_progress(client, nb)
    if problems:
        print("\n".join(problems))
        sys.exit(1)


if __name__ == "__main__":
    main()
