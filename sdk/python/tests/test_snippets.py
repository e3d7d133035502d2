"""The product page's Python snippets (tests/snippets/, verbatim but for the indentation
the page's text lost), run as written against a project made the way `make demo` makes it:
inside `swiftclaw run` with no identity in the child, and outside it through
`swiftclaw serve`."""

import os
import subprocess
import sys
import unittest

import support
from support import API_KEY, DATABASE_URL, OPENAI_API_KEY, proof

HERE = os.path.dirname(os.path.abspath(__file__))

EXPECTED = {
    "retrieve_secrets.py": [
        "api_key " + proof(API_KEY),
        "OpenAI client api_key " + proof(API_KEY),
    ],
    "use_environment_variables.py": [
        "agent.config model_api_key " + proof(OPENAI_API_KEY),
        "tool query_database -> would query " + proof(DATABASE_URL),
    ],
    "runtime_injection.py": [
        "on_message handle_message api_key " + proof(API_KEY),
    ],
    "never_hardcode_secrets.py": [
        "api_key " + proof(API_KEY),
    ],
}


class SnippetTest(support.ProjectTest):
    def run_snippet(self, name, inside_run):
        argv = [sys.executable, os.path.join(HERE, "run_snippet.py"), os.path.join(HERE, "snippets", name)]
        env = dict(self.project.env)
        if inside_run:
            env = self.project.key_only_in_environment()
            argv = [support.swiftclaw_bin(), "run", "my-agent"] + ["--"] + argv
        else:
            # The page's "Use Environment Variables" reads the process environment, which
            # outside `swiftclaw run` the user provides.
            env.update(OPENAI_API_KEY=OPENAI_API_KEY, DATABASE_URL=DATABASE_URL)
        res = subprocess.run(argv, cwd=self.project.root, env=env, capture_output=True)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        self.assertEqual(res.stderr, b"")
        return res.stdout.decode().splitlines()

    def test_snippets_inside_run(self):
        for name, want in EXPECTED.items():
            with self.subTest(snippet=name):
                self.assertEqual(self.run_snippet(name, inside_run=True), want)

    def test_snippets_outside_run(self):
        for name, want in EXPECTED.items():
            with self.subTest(snippet=name):
                self.assertEqual(self.run_snippet(name, inside_run=False), want)

    def test_snippets_are_the_pages(self):
        # Every snippet file is text from the page; the page's own file names them.
        names = sorted(os.listdir(os.path.join(HERE, "snippets")))
        self.assertEqual(names, sorted(EXPECTED))


if __name__ == "__main__":
    unittest.main()
