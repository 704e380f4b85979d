#!/usr/bin/env python3
"""Waits until https://127.0.0.1:PORT/readyz answers 200; prints seconds since START (epoch seconds).

One process and, once the server listens, one kept-alive TLS connection polled every 5 ms: a new
curl per poll would spend more CPU on process start and TLS handshakes than the server it waits
for, on the same cores, while the server starts (docs/performance.md).
Usage: ready.py PORT CA_FILE PID START"""
import http.client, os, ssl, sys, time

port, ca, pid, start = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
context = None
connection = None
while True:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(f"load: process {pid} exited before it was ready")
    try:
        if context is None:
            if not os.path.exists(ca):
                raise FileNotFoundError(ca)
            context = ssl.create_default_context(cafile=ca)
        if connection is None:
            connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
        connection.request("GET", "/readyz")
        response = connection.getresponse()
        response.read()
        if response.status == 200:
            print(f"{time.time() - start:.3f}")
            break
    except (OSError, http.client.HTTPException, ssl.SSLError):
        if connection is not None:
            connection.close()
        connection = None
        context = None if not os.path.exists(ca) else context
    time.sleep(0.005)
