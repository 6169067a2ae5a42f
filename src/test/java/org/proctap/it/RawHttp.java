package org.proctap.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Requests written byte by byte to a loopback port, as no well-behaved client would send them. */
final class RawHttp {
    /** A reply's status line (or what came instead) and the whole of what came. */
    record Reply(String statusLine, String text, boolean closed) {
        int status() {
            String[] w = statusLine.split(" ");
            return w.length > 1 && w[0].startsWith("HTTP/") ? Integer.parseInt(w[1]) : -1;
        }
    }

    private RawHttp() {
    }

    /** Sends {@code request} and reads until the server closes or 5 s pass without a byte. */
    static Reply send(int port, byte[] request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
                s.shutdownOutput();
            } catch (IOException refused) {
                // the server may close while a long request is still being written: read what it said
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            boolean closed = false;
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                // the server kept the connection open
            } catch (IOException reset) {
                closed = true;
            }
            String text = got.toString(StandardCharsets.ISO_8859_1);
            int eol = text.indexOf("\r\n");
            return new Reply(eol >= 0 ? text.substring(0, eol) : text, text, closed);
        }
    }

    static Reply send(int port, String request) throws IOException {
        return send(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A well-formed scrape: GET /metrics, one request, connection closed after. */
    static Reply scrape(int port) throws IOException {
        return send(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    }
}
