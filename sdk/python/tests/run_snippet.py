"""Runs one of the product page's Python snippets exactly as written (tests/snippets/),
then exercises what it registered, printing proofs (length and hash) instead of values.

The page's snippets assume an environment: top-level `await` (as in `python -m asyncio`
or a notebook), `Agent` and `agent` defined by an earlier snippet, `os` imported, an OpenAI
client and a database helper. This runner supplies exactly that: compiled with
PyCF_ALLOW_TOP_LEVEL_AWAIT, `OpenAI` bound to OpenAIStandIn, `connect_and_query` bound to a
stand-in that touches no database.

Usage: run_snippet.py SNIPPET.py
"""

import ast
import asyncio
import inspect
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import proof  # noqa: E402

from swiftclaw import Agent  # noqa: E402


class OpenAIStandIn:
    """A stand-in for the OpenAI client class (openai.OpenAI): it only keeps the key it was
    given, so the run can show which key that was."""

    created = []

    def __init__(self, api_key=None, **kwargs):
        self.api_key = api_key
        OpenAIStandIn.created.append(self)


async def connect_and_query_stand_in(db_url):
    """A stand-in for the page's database helper: reports what URL it would connect to."""
    return "would query " + proof(db_url)


async def main(path):
    with open(path) as f:
        source = f.read()
    ns = {"__name__": "__snippet__", "os": os, "Agent": Agent, "agent": Agent(name="my-agent"),
          "OpenAI": OpenAIStandIn, "connect_and_query": connect_and_query_stand_in}
    code = compile(source, path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, ns)
    if inspect.iscoroutine(result):
        await result
    agent = ns["agent"]
    if "api_key" in ns:
        print("api_key", proof(ns["api_key"]))
    for client in OpenAIStandIn.created:
        print("OpenAI client api_key", proof(client.api_key))
    for key, value in sorted(agent.config.items()):
        print("agent.config", key, proof(value))
    for name, tool in sorted(agent.tools.items()):
        print("tool", name, "->", await tool())
    for handler in agent.message_handlers:
        # handle_message keeps the key in a local; run it and show what it read.
        locals_seen = {}

        def tracer(frame, event, arg):
            if event == "return" and frame.f_code is handler.__code__:
                locals_seen.update(frame.f_locals)
            return tracer

        sys.settrace(tracer)
        try:
            await handler("hello")
        finally:
            sys.settrace(None)
        print("on_message", handler.__name__, "api_key", proof(locals_seen.get("api_key")))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
