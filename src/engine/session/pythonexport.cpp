#include "engine/session/pythonexport.h"

#include "engine/core/action.h"
#include "engine/core/hostport.h"

#include <QList>
#include <QMap>

namespace finscope {

namespace {

// A Python bytes literal: printable ASCII kept, the rest escaped.
QString bytesLiteral(QByteArrayView data)
{
    QString out = QStringLiteral("b'");
    for (const char c : data) {
        const auto u = uchar(c);
        if (c == '\\' || c == '\'')
            out += u'\\' + QChar(u);
        else if (c == '\n')
            out += QStringLiteral("\\n");
        else if (c == '\r')
            out += QStringLiteral("\\r");
        else if (c == '\t')
            out += QStringLiteral("\\t");
        else if (u >= 0x20 && u < 0x7f)
            out += QChar(u);
        else
            out += QStringLiteral("\\x%1").arg(uint(u), 2, 16, QChar(u'0'));
    }
    return out + u'\'';
}

// The inside of a Python str literal: printable ASCII kept, except the backslash and (inside
// quotes) the quote, which are escaped like every other code point. Invalid UTF-16 (a lone
// surrogate) reads as U+FFFD.
QString escapedBody(QStringView text, bool escapeQuote)
{
    QString out;
    out.reserve(text.size());
    for (const char32_t c : text.toUcs4()) {
        if (c == u'\\' || (escapeQuote && c == u'\''))
            out += u'\\' + QChar(char16_t(c));
        else if (c == u'\n')
            out += QStringLiteral("\\n");
        else if (c == u'\r')
            out += QStringLiteral("\\r");
        else if (c == u'\t')
            out += QStringLiteral("\\t");
        else if (c >= 0x20 && c < 0x7f)
            out += QChar(char16_t(c));
        else if (c < 0x100)
            out += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QChar(u'0'));
        else if (c < 0x10000)
            out += QStringLiteral("\\u%1").arg(uint(c), 4, 16, QChar(u'0'));
        else
            out += QStringLiteral("\\U%1").arg(uint(c), 8, 16, QChar(u'0'));
    }
    return out;
}

// A wait or gap as the seconds a script sleeps, and, when the file's value is past what
// time.sleep accepts, the comment that says it was cut.
struct Sleep
{
    QString seconds;
    QString note;
};

Sleep sleepFor(double seconds)
{
    if (seconds <= PythonExport::MaxSleepSeconds)
        return {QString::number(seconds, 'f', 3), QString()};
    return {QString::number(PythonExport::MaxSleepSeconds, 'f', 3),
            QStringLiteral("  # recorded %1 s: cut to what time.sleep accepts")
                .arg(QString::number(seconds, 'g', 6))};
}

// The runtime the generated statements call: small enough to read, so the script shows how each
// action maps onto the socket API.
const char *const Preamble = R"PY(import errno
import os
import socket
import struct
import sys
import time

T0 = time.monotonic()
failed = False


def say(who, *words):
    print('%10.6f  %s ' % (time.monotonic() - T0, who), *words, flush=True)


def shown(data):
    text = repr(data[:40])
    return text + ('...' if len(data) > 40 else '')


def reason(e):
    return '%s %s' % (errno.errorcode.get(e.errno, 'E%s' % e.errno), e.strerror)


class Connection:
    """One connected socket, driven the way a blocking program drives it."""

    PATTERN = b'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n'

    def __init__(self, sock, who):
        self.sock = sock
        self.who = who
        self.endings = []  # 'eof' and 'rst', in the order they were seen
        self.expected = 0  # how many of them an expect-* has looked at
        self.start = time.monotonic()
        self.dups = []  # second handles on the same socket, as a fork child holds one

    def gap(self, seconds):
        # The recorded gap from the return of the previous action to the start of this one: kept
        # however long that action takes here (a send that blocked for a second when recorded
        # may return at once now).
        time.sleep(seconds)

    def at(self, seconds):
        # A recording that does not say when actions returned: this action started `seconds`
        # after the connection's first one.
        delay = self.start + seconds - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def failure(self, call, e):
        if isinstance(e, (ConnectionResetError, BrokenPipeError)):
            if 'rst' not in self.endings:
                self.endings.append('rst')
            say(self.who, 'rst', '(%s: %s)' % (call, reason(e)))
        else:
            say(self.who, 'error', '(%s: %s)' % (call, reason(e)))

    def send(self, data):
        try:
            self.sock.sendall(data)
            say(self.who, 'send', '%d B' % len(data), shown(data))
        except OSError as e:
            self.failure('send', e)

    def send_pattern(self, count):
        block = self.PATTERN * 4096
        sent = 0
        while sent < count:
            piece = block[:min(len(block), count - sent)]
            try:
                self.sock.sendall(piece)
            except OSError as e:
                self.failure('send', e)
                break
            sent += len(piece)
        say(self.who, 'send', '%d B of pattern' % sent)

    def send_file(self, path):
        with open(path, 'rb') as f:
            while True:
                piece = f.read(65536)
                if not piece:
                    break
                self.send(piece)

    def shutdown(self, how, name):
        try:
            self.sock.shutdown(how)
            say(self.who, 'shutdown', name)
        except OSError as e:
            self.failure('shutdown', e)

    def close(self):
        self.sock.close()
        say(self.who, 'close')

    def dup(self):
        # A second descriptor for the same socket: the kernel sends FIN only when the last goes.
        fd = os.dup(self.sock.fileno())
        self.dups.append(fd)
        say(self.who, 'dup', '(fd %d, a second handle on the socket)' % fd)

    def close_dup(self):
        # Closing one of two handles releases nothing: no FIN goes on the wire.
        if not self.dups:
            say(self.who, 'error', '(close-dup: no second handle is open)')
            return
        fd = self.dups.pop()
        os.close(fd)
        say(self.who, 'close-dup', '(fd %d; the socket stays open)' % fd)

    def abort(self):
        # SO_LINGER {on, 0 s}: close() then sends RST instead of FIN.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.sock.close()
        say(self.who, 'abort', '(SO_LINGER {1, 0} then close: RST)')

    def recv_once(self, after_eof=False):
        # After EOF only an expect-* reads on: a reset can still follow the peer's FIN.
        if self.sock.fileno() < 0 or 'rst' in self.endings:
            return None
        if 'eof' in self.endings and not after_eof:
            return None
        try:
            data = self.sock.recv(65536)
        except OSError as e:
            self.failure('recv', e)
            return None
        if not data:
            if 'eof' not in self.endings:
                self.endings.append('eof')
                say(self.who, 'eof')
            return None
        say(self.who, 'recv', '%d B' % len(data), shown(data))
        return data

    def read(self):
        self.recv_once()

    def read_until_eof(self):
        while self.recv_once() is not None:
            pass

    def respond(self, answer):
        # echo, echo-upper, discard: answer every chunk until EOF.
        while True:
            data = self.recv_once()
            if data is None:
                return
            if answer is not None:
                self.send(answer(data))

    def expect(self, want):
        global failed
        while len(self.endings) <= self.expected and self.recv_once(True) is not None:
            pass
        got = self.endings[self.expected] if len(self.endings) > self.expected else None
        self.expected += 1
        if got != want:
            failed = True
            say(self.who, 'expectation failed:', 'expected %s, got %s' % (want, got or 'a close'))

)PY";

QString statement(const Action &action)
{
    switch (action.kind) {
    case Action::Kind::Send:
    case Action::Kind::SendHex:
        return QStringLiteral("c.send(%1)").arg(bytesLiteral(action.data));
    case Action::Kind::SendFile:
        return QStringLiteral("c.send_file(%1)").arg(PythonExport::stringLiteral(action.path));
    case Action::Kind::SendPattern:
        return QStringLiteral("c.send_pattern(%1)").arg(action.count);
    case Action::Kind::Shutdown: {
        const QString how = action.how == ShutdownHow::Read    ? QStringLiteral("SHUT_RD")
                            : action.how == ShutdownHow::Write ? QStringLiteral("SHUT_WR")
                                                               : QStringLiteral("SHUT_RDWR");
        return QStringLiteral("c.shutdown(socket.%1, '%2')").arg(how, howName(action.how));
    }
    case Action::Kind::Close:
        return QStringLiteral("c.close()");
    case Action::Kind::Abort:
        return QStringLiteral("c.abort()");
    case Action::Kind::Dup:
        return QStringLiteral("c.dup()");
    case Action::Kind::CloseDup:
        return QStringLiteral("c.close_dup()");
    case Action::Kind::Read:
        return QStringLiteral("c.read()");
    case Action::Kind::ReadUntilEof:
        return QStringLiteral("c.read_until_eof()");
    case Action::Kind::PauseReading:
    case Action::Kind::ResumeReading:
        // A blocking program reads only when it calls recv(): there is nothing to switch.
        return QStringLiteral("pass  # %1: this script reads only when an action does")
            .arg(PythonExport::commentText(action.toString()));
    case Action::Kind::Echo:
        return QStringLiteral("c.respond(lambda data: data)");
    case Action::Kind::EchoUpper:
        return QStringLiteral("c.respond(lambda data: data.upper())");
    case Action::Kind::Discard:
        return QStringLiteral("c.respond(None)");
    case Action::Kind::Wait: {
        const Sleep sleep = sleepFor(double(action.count) / 1000.0);
        return QStringLiteral("time.sleep(%1)%2").arg(sleep.seconds, sleep.note);
    }
    case Action::Kind::ExpectEof:
        return QStringLiteral("c.expect('eof')");
    case Action::Kind::ExpectRst:
        return QStringLiteral("c.expect('rst')");
    }
    return QString();
}

} // namespace

QString PythonExport::stringLiteral(QStringView text)
{
    return u'\'' + escapedBody(text, true) + u'\'';
}

QString PythonExport::commentText(QStringView text)
{
    return escapedBody(text, false);
}

std::optional<QString> PythonExport::script(const Session &session, Side side, QString *error)
{
    // The actions of each connection of that side, in connection order.
    QMap<quint32, QList<const RecordedAction *>> byConn;
    for (const RecordedAction &a : session.actions) {
        if (a.side == side && a.conn > 0)
            byConn[a.conn].append(&a);
    }
    if (byConn.isEmpty()) {
        *error = QStringLiteral("the session has no %1 actions to export").arg(sideName(side));
        return std::nullopt;
    }
    // A listen address may carry port 0; without a recorded host the script uses loopback.
    QString unknown;
    const HostPort where
        = HostPort::parse(session.recordedTarget(side, byConn.firstKey()), true, &unknown)
              .value_or(HostPort());
    const QString host = where.host.isEmpty() ? QStringLiteral("127.0.0.1") : where.host;
    const int port = where.port;

    // The docstring is fixed text: what came from the file follows in '#' comments and literals.
    // Line 2 names the encoding, so no comment from the file can do it (Python reads a
    // "coding:" in the first two lines).
    QString out = QStringLiteral("#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n");
    out += QStringLiteral("\"\"\"What the recorded %1 did, as a plain Python socket program.\n\n")
               .arg(sideName(side));
    out += side == Side::Client
               ? QStringLiteral("Usage: python3 SCRIPT [HOST [PORT]]  (default: the recorded "
                                "peer, below)\n")
               : QStringLiteral("Usage: python3 SCRIPT [HOST [PORT]]  (default: the recorded "
                                "listen address, below; port 0 lets the OS choose)\n");
    out += QStringLiteral("It prints every step and everything it receives; exit status 1 when an "
                          "expect-eof or\nexpect-rst was not met.\n\"\"\"\n");
    out += QStringLiteral("# Generated by FinScope from a session recorded by %1 at %2.\n")
               .arg(commentText(session.tool.isEmpty() ? QStringLiteral("FinScope") : session.tool),
                    session.wallClockStart.toString(Qt::ISODateWithMs));
    out += QStringLiteral("# The recorded %1: %2 %3\n")
               .arg(side == Side::Client ? QStringLiteral("peer")
                                         : QStringLiteral("listen address"),
                    commentText(host),
                    QString::number(port));
    out += QLatin1StringView(Preamble);

    for (auto it = byConn.cbegin(); it != byConn.cend(); ++it) {
        out += QStringLiteral("\ndef %1_%2(c):\n").arg(sideName(side)).arg(it.key());
        const QList<const RecordedAction *> &actions = it.value();
        const qint64 firstNs = actions.first()->tNs;
        const RecordedAction *previous = nullptr;
        for (const RecordedAction *recorded : actions) {
            QString why;
            const auto action = Action::parse(recorded->text, &why);
            if (!action) {
                *error = QStringLiteral("%1 %2: action '%3': %4")
                             .arg(sideName(side))
                             .arg(it.key())
                             .arg(recorded->text, why);
                return std::nullopt;
            }
            if (previous && previous->endNs >= 0) {
                const qint64 gapNs = recorded->tNs - previous->endNs;
                if (gapNs >= MinGapNs) {
                    const Sleep sleep = sleepFor(double(gapNs) / 1e9);
                    out += QStringLiteral("    c.gap(%1)%2\n").arg(sleep.seconds, sleep.note);
                }
            } else if (previous && recorded->tNs - previous->tNs >= MinGapNs) {
                const Sleep sleep = sleepFor(double(recorded->tNs - firstNs) / 1e9);
                out += QStringLiteral("    c.at(%1)%2\n").arg(sleep.seconds, sleep.note);
            }
            previous = recorded;
            out += QStringLiteral("    %1\n").arg(statement(*action));
        }
    }

    out += QStringLiteral("\n\ndef main():\n");
    out += QStringLiteral("    host = sys.argv[1] if len(sys.argv) > 1 else %1\n")
               .arg(stringLiteral(host));
    out += QStringLiteral("    port = int(sys.argv[2]) if len(sys.argv) > 2 else %1\n").arg(port);
    if (side == Side::Client) {
        for (auto it = byConn.cbegin(); it != byConn.cend(); ++it) {
            out += QStringLiteral("    try:\n"
                                  "        sock = socket.create_connection((host, port))\n"
                                  "    except OSError as e:\n"
                                  "        print('could not connect to %s:%d: %s' % (host, port, "
                                  "reason(e)), file=sys.stderr)\n"
                                  "        sys.exit(3)\n");
            out += QStringLiteral("    say('client %1', 'connect', 'local %s:%d, peer %s:%d' % "
                                  "(sock.getsockname()[:2] + sock.getpeername()[:2]))\n")
                       .arg(it.key());
            out += QStringLiteral("    client_%1(Connection(sock, 'client %1'))\n").arg(it.key());
        }
    } else {
        out += QStringLiteral("    server = socket.create_server((host, port), backlog=%1)\n")
                   .arg(byConn.size());
        out += QStringLiteral("    print('listening on %s:%d' % server.getsockname()[:2], "
                              "flush=True)\n");
        for (auto it = byConn.cbegin(); it != byConn.cend(); ++it) {
            out += QStringLiteral("    sock, peer = server.accept()\n");
            out += QStringLiteral("    say('server %1', 'accept', 'peer %s:%d' % peer[:2])\n")
                       .arg(it.key());
            out += QStringLiteral("    server_%1(Connection(sock, 'server %1'))\n").arg(it.key());
        }
        out += QStringLiteral("    server.close()\n");
    }
    out += QStringLiteral("    sys.exit(1 if failed else 0)\n\n\nif __name__ == '__main__':\n"
                          "    main()\n");
    return out;
}

} // namespace finscope
