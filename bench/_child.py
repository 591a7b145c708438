"""A benchmark's server in a child process of its own (spawned, so the client's CPU figures are the client's alone).

``target(pipe, *args)`` starts the server, sends its port down ``pipe``, then answers commands until ``stop``.
"""
import multiprocessing as mp


class ChildServer:
    what = "the server"  # for the start-up error
    stop_message: object = ("stop",)

    def __init__(self, target, args):
        ctx = mp.get_context("spawn")
        self.pipe, child = ctx.Pipe()
        self.proc = ctx.Process(target=target, args=(child, *args), daemon=True)

    def __enter__(self):
        self.proc.start()
        if not self.pipe.poll(60):
            raise RuntimeError(f"{self.what} did not start within 60 s")
        self.port = self.pipe.recv()
        return self

    def ask(self, message):
        self.pipe.send(message)
        return self.pipe.recv()

    def __exit__(self, *exc):
        try:
            self.pipe.send(self.stop_message)
        except OSError:
            pass
        self.proc.join(15)
        if self.proc.is_alive():
            self.proc.terminate()
