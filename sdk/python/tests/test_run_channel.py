"""`agent.secrets.get` inside `swiftclaw run`: through the run channel, with no identity
visible to the child (the key is only in the parent's SWIFTCLAW_AGE_KEY, the identity file
is gone)."""

import os
import subprocess
import sys
import unittest

import support
from support import API_KEY, CERT, DATABASE_URL, proof

HERE = os.path.dirname(os.path.abspath(__file__))


class RunChannelTest(support.ProjectTest):
    def run_child(self, *swiftclaw_args, script="child_agent.py"):
        env = self.project.key_only_in_environment()
        res = subprocess.run([support.swiftclaw_bin()] + list(swiftclaw_args) + ["--", sys.executable, os.path.join(HERE, script)],
                             cwd=self.project.root, env=env, capture_output=True)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        out = res.stdout.decode()
        for value in (API_KEY, DATABASE_URL, env["SWIFTCLAW_AGE_KEY"]):
            self.assertNotIn(value, out + res.stderr.decode())
        return out.splitlines()

    def check_output(self, lines):
        self.assertEqual(lines, [
            "SWIFTCLAW_AGE_KEY visible: False",
            "identity file visible: False",
            "channel fd: 3",
            "swiftclaw secrets get in the child exits 3",
            "api-key " + proof(API_KEY),
            "db-cert " + proof(CERT),
            "DATABASE_URL " + proof(DATABASE_URL),
            "list api-key db-cert temp-token",
            'missing: SecretNotFound secret "missing" not found in agent my-agent',
            "other-agent: AccessDenied this channel serves agent my-agent only, not other-agent",
            "grandchild sees the channel: False",
        ])

    def test_run(self):
        self.check_output(self.run_child("run", "my-agent"))

    def test_deploy_exec(self):
        self.check_output(self.run_child("deploy", "my-agent", "--target", "exec"))


if __name__ == "__main__":
    unittest.main()
