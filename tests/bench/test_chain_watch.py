"""The chain watcher's memory reading: a process tree's resident set, from /proc."""

import os
import subprocess
import sys

from abci_app.bench.chain_watch import tree_rss_mib


def test_a_process_trees_memory_counts_its_children_and_nothing_once_gone():
    child = subprocess.Popen([sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(30)"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"  # its interpreter is loaded
        alone = tree_rss_mib(child.pid)
        assert alone > 1
        assert tree_rss_mib(os.getpid()) > alone  # this process and its child
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert tree_rss_mib(child.pid) == 0
