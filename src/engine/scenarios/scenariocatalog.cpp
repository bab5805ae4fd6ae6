#include "engine/scenarios/scenariocatalog.h"

#include "engine/scenarios/scenariofacts.h"
#include "engine/session/session.h"

#include <cerrno>

namespace finscope {

namespace {

constexpr Side C = Side::Client;
constexpr Side S = Side::Server;
const QByteArray Request = "request: the whole report, please\n";
const QByteArray Reply = "report: 42 lines, all of them\n";

// Builds a scenario step by step; add() returns the step's index for the facts to refer to.
class Builder
{
public:
    Builder(const QString &id, const QString &title, const QString &explanation)
    {
        m_scenario.id = id;
        m_scenario.title = title;
        m_scenario.explanation = explanation;
    }

    int add(Side side, const QString &action, const QString &caption)
    {
        QString error;
        const auto parsed = Action::parse(action, &error);
        // The catalog is code: a word that does not parse is a bug the scenario tests catch.
        Q_ASSERT_X(parsed, "ScenarioCatalog", qPrintable(error));
        m_scenario.steps.append({side, parsed.value_or(Action{}), caption});
        return int(m_scenario.steps.size() - 1);
    }
    void fact(ScenarioFact fact) { m_scenario.facts.append(std::move(fact)); }
    Scenario &scenario() { return m_scenario; }

private:
    Scenario m_scenario;
};

QString sendText(const QByteArray &bytes)
{
    return QStringLiteral("send ") + escapeBytes(bytes);
}

// --- the scenarios ----------------------------------------------------------------------------

Scenario halfCloseRequestResponse()
{
    Builder b(QStringLiteral("half-close-request-response"),
              QStringLiteral("The client half-closes after its request and still gets the reply"),
              QStringLiteral(
                  "The client sends its request and then shutdown(SHUT_WR): its FIN tells the "
                  "server the request is complete, and it can still receive. Watch the client go "
                  "to FIN_WAIT2 and the server to CLOSE_WAIT the moment the FIN arrives, the "
                  "server read EOF after the last request byte, then reply and half-close in "
                  "turn. Tutorials often call SHUT_WR \"closing the connection\"; it closes one "
                  "direction only, which is what lets a request end without a length header."));
    b.add(C, sendText(Request), QStringLiteral("the client sends its request"));
    b.add(C,
          QStringLiteral("shutdown wr"),
          QStringLiteral("the client half-closes: its FIN ends "
                         "the request"));
    b.add(S,
          QStringLiteral("read-until-eof"),
          QStringLiteral("the server reads the request up to "
                         "EOF"));
    b.add(S, sendText(Reply), QStringLiteral("the server answers after the client's FIN"));
    b.add(S,
          QStringLiteral("shutdown wr"),
          QStringLiteral("the server half-closes: its FIN ends "
                         "the reply"));
    b.add(C, QStringLiteral("read-until-eof"), QStringLiteral("the client reads the reply to EOF"));
    b.add(C, QStringLiteral("close"), QStringLiteral("the client closes"));
    b.add(S, QStringLiteral("close"), QStringLiteral("the server closes"));
    b.fact(facts::reachesState(QStringLiteral("the client reaches FIN_WAIT2: its FIN is "
                                              "acknowledged and it can still receive"),
                               C,
                               TcpState::FinWait2));
    b.fact(facts::reachesState(QStringLiteral("the server reaches CLOSE_WAIT when the client's "
                                              "FIN arrives"),
                               S,
                               TcpState::CloseWait));
    b.fact(facts::receivedBytes(
        QStringLiteral("the server reads the whole request before EOF"), S, Request.size()));
    b.fact(facts::before(QStringLiteral("server: eof before the client's eof"),
                         S,
                         EventKind::Eof,
                         C,
                         EventKind::Eof));
    b.fact(facts::receivedBytes(QStringLiteral("the client receives the whole reply after its "
                                               "own FIN"),
                                C,
                                Reply.size()));
    b.fact(facts::never(QStringLiteral("no RST on the client"), C, EventKind::Rst));
    b.fact(facts::never(QStringLiteral("no RST on the server"), S, EventKind::Rst));
    return b.scenario();
}

Scenario missingShutWrHang()
{
    Builder b(QStringLiteral("missing-shut-wr-hang"),
              QStringLiteral("The client forgets SHUT_WR: both ends wait for each other forever"),
              QStringLiteral(
                  "The same request and reply as half-close-request-response, but the client "
                  "never calls shutdown(SHUT_WR) and waits for the reply. The server has every "
                  "byte of the request, yet it reads until EOF, and EOF only comes with a FIN "
                  "nobody sends. Both ends stay ESTABLISHED with empty queues: no error, no "
                  "timeout from TCP, just two programs waiting. The run ends by its time bound. "
                  "A common tutorial fix is a sleep or a read with a timeout; the real fix is "
                  "SHUT_WR, or a length or delimiter in the protocol."));
    b.add(C, sendText(Request), QStringLiteral("the client sends its request (and no FIN)"));
    b.add(C, QStringLiteral("read-until-eof"), QStringLiteral("the client waits for the reply"));
    b.add(S,
          QStringLiteral("read-until-eof"),
          QStringLiteral("the server waits for EOF, the end "
                         "of the request"));
    b.add(S, sendText(Reply), QStringLiteral("the server would answer: never reached"));
    b.add(S, QStringLiteral("close"), QStringLiteral("the server would close: never reached"));
    b.add(C, QStringLiteral("close"), QStringLiteral("the client would close: never reached"));
    b.scenario().timeoutMs = 1500;
    b.scenario().endsByTimeout = true;
    b.fact(facts::receivedBytes(QStringLiteral("the server has the whole request: it waits for "
                                               "EOF, not for bytes"),
                                S,
                                Request.size()));
    b.fact(
        facts::never(QStringLiteral("no EOF on the server: nobody sent a FIN"), S, EventKind::Eof));
    b.fact(facts::never(QStringLiteral("no EOF on the client within the run"), C, EventKind::Eof));
    b.fact(facts::finalState(
        QStringLiteral("the client is still ESTABLISHED at the bound"), C, TcpState::Established));
    b.fact(facts::finalState(
        QStringLiteral("the server is still ESTABLISHED at the bound"), S, TcpState::Established));
    return b.scenario();
}

Scenario echoDeadlock()
{
    Builder b(QStringLiteral("echo-deadlock"),
              QStringLiteral("An echo client that sends everything before reading deadlocks"),
              QStringLiteral(
                  "The server echoes what it reads and, like a blocking program, stops reading "
                  "while its echo cannot be sent. The client sends 64 MiB before reading "
                  "anything. The echoes fill the client's receive queue and the server's send "
                  "queue; then the server stops reading, and the client's data fills the server's "
                  "receive queue and the client's send queue. Both are blocked in send(), each "
                  "waiting for the other to read. The queue sizes at the stall are recorded. "
                  "Tutorials blame \"TCP buffering\" or suggest bigger buffers; bigger buffers "
                  "only move the point of the stall. See echo-deadlock-fixed."));
    b.add(S, QStringLiteral("echo"), QStringLiteral("the server echoes every chunk until EOF"));
    b.add(C,
          QStringLiteral("send-pattern 64M"),
          QStringLiteral("the client sends 64 MiB before "
                         "reading anything"));
    b.add(C,
          QStringLiteral("shutdown wr"),
          QStringLiteral("the client would half-close: never "
                         "reached"));
    b.add(C,
          QStringLiteral("read-until-eof"),
          QStringLiteral("the client would read the echo: "
                         "never reached"));
    b.scenario().timeoutMs = 3000;
    b.scenario().endsByTimeout = true;
    b.fact(facts::sendQueuesAbove(QStringLiteral("at the stall, the kernel send queues of both "
                                                 "ends hold more than 1 MiB"),
                                  1024 * 1024));
    b.fact({QStringLiteral("the client's send is stuck well short of 64 MiB"),
            [](const ScenarioOutcome &o) -> FactResult {
                qint64 sent = 0;
                for (const Event &e : facts::eventsOf(o, C, EventKind::Send))
                    sent += e.bytes;
                return {sent < 64LL * 1024 * 1024,
                        QStringLiteral("the client's kernel took %1 of %2 bytes")
                            .arg(sent)
                            .arg(64LL * 1024 * 1024)};
            }});
    b.fact(facts::receivedBytes(QStringLiteral("the client reads nothing"), C, 0));
    b.fact(facts::never(
        QStringLiteral("no EOF on the server: the client's FIN never goes"), S, EventKind::Eof));
    return b.scenario();
}

Scenario echoDeadlockFixed()
{
    Builder b(QStringLiteral("echo-deadlock-fixed"),
              QStringLiteral("The same echo, with a client that reads while it sends"),
              QStringLiteral(
                  "The echo server of echo-deadlock, but the client reads the echo while it "
                  "sends (a second thread or a poll loop in a real program). Neither receive "
                  "queue stays full, so neither sender blocks for long: all 16 MiB come back, "
                  "the client's FIN reaches the server after the last byte, and the server's FIN "
                  "ends the echo. Nothing about the buffers changed; only the reading did."));
    b.add(S, QStringLiteral("echo"), QStringLiteral("the server echoes every chunk until EOF"));
    b.add(
        C, QStringLiteral("resume-reading"), QStringLiteral("the client reads in the background"));
    b.add(C,
          QStringLiteral("send-pattern 16M"),
          QStringLiteral("the client sends 16 MiB while "
                         "reading"));
    b.add(C, QStringLiteral("shutdown wr"), QStringLiteral("the client half-closes"));
    b.add(S, QStringLiteral("shutdown wr"), QStringLiteral("after EOF the server half-closes"));
    b.add(C,
          QStringLiteral("read-until-eof"),
          QStringLiteral("the client reads the rest of the "
                         "echo to EOF"));
    b.add(C, QStringLiteral("close"), QStringLiteral("the client closes"));
    b.add(S, QStringLiteral("close"), QStringLiteral("the server closes"));
    b.scenario().timeoutMs = 20000;
    b.fact(facts::receivedBytes(
        QStringLiteral("the client gets all 16 MiB back"), C, 16LL * 1024 * 1024));
    b.fact(facts::happens(
        QStringLiteral("the server reads EOF after the last byte"), S, EventKind::Eof));
    b.fact(facts::happens(QStringLiteral("the client reads EOF"), C, EventKind::Eof));
    b.fact(facts::never(QStringLiteral("no RST on the client"), C, EventKind::Rst));
    return b.scenario();
}

Scenario closeWithUnreadDataRst()
{
    const qint64 upload = 16 * 1024;
    Builder b(QStringLiteral("close-with-unread-data-rst"),
              QStringLiteral("Closing with unread data sends RST: what the peer loses"),
              QStringLiteral(
                  "The server reads the request, replies and closes while 16 KiB the client sent "
                  "afterwards sit unread in its receive queue. Linux then sends RST instead of "
                  "FIN (RFC 2525) and discards the data. The client still reads the reply that "
                  "had arrived, then recv fails with ECONNRESET. What the client loses: the "
                  "upload, which its kernel accepted and acknowledged but no application ever "
                  "read, and a clean EOF, so it cannot tell a finished reply from a crash. Had the "
                  "reply still been in the server's send queue, it would have been discarded too. "
                  "Tutorials say close() sends a FIN; only when nothing is left unread."));
    b.add(C, sendText(Request), QStringLiteral("the client sends its request"));
    b.add(S, QStringLiteral("read"), QStringLiteral("the server reads the request"));
    b.add(S, sendText(Reply), QStringLiteral("the server replies"));
    b.add(C,
          QStringLiteral("send-pattern %1").arg(upload),
          QStringLiteral("the client goes on sending: an upload the server never reads"));
    b.add(S,
          QStringLiteral("close"),
          QStringLiteral("the server closes with the upload unread: RST"));
    b.add(C,
          QStringLiteral("read-until-eof"),
          QStringLiteral("the client reads: the reply, then "
                         "the reset"));
    b.add(C, QStringLiteral("close"), QStringLiteral("the client closes"));
    b.fact(facts::closeFindsUnread(QStringLiteral("the server's close finds unread bytes: the "
                                                  "kernel sends RST, not FIN"),
                                   S));
    b.fact(facts::receivedBytes(QStringLiteral("the server's application read only the request: "
                                               "the upload is lost"),
                                S,
                                Request.size()));
    b.fact(facts::receivedBytes(QStringLiteral("the client still reads the whole reply that "
                                               "arrived before the RST"),
                                C,
                                Reply.size()));
    b.fact(facts::resetWith(
        QStringLiteral("then the client's recv fails with ECONNRESET"), C, ECONNRESET));
    b.fact(facts::never(QStringLiteral("the client never reads EOF"), C, EventKind::Eof));
    return b.scenario();
}

Scenario shutRdLocalOnly()
{
    const QByteArray late = "sent after the server's SHUT_RD\n";
    Builder b(QStringLiteral("shut-rd-local-only"),
              QStringLiteral("SHUT_RD is local only: the peer is told nothing"),
              QStringLiteral(
                  "The server calls shutdown(SHUT_RD). On Linux that sends nothing: no FIN, no "
                  "RST, no window change the peer could notice. The client's TCP state does not "
                  "move and it keeps sending; the server's kernel still queues those bytes and "
                  "the server can still read them. Many tutorials say SHUT_RD discards incoming "
                  "data or tells the peer to stop sending; on Linux it does neither. (And "
                  "closing with such data unread would send RST: see "
                  "close-with-unread-data-rst.)"));
    const int shutRd
        = b.add(S, QStringLiteral("shutdown rd"), QStringLiteral("the server shuts its read side"));
    b.add(C, sendText(late), QStringLiteral("the client, told nothing, keeps sending"));
    b.add(S, QStringLiteral("read"), QStringLiteral("the server still reads it"));
    const int clientFin
        = b.add(C, QStringLiteral("shutdown wr"), QStringLiteral("the client half-closes"));
    b.add(S, QStringLiteral("read-until-eof"), QStringLiteral("the server reads EOF"));
    b.add(S, QStringLiteral("close"), QStringLiteral("the server closes"));
    b.add(C, QStringLiteral("read-until-eof"), QStringLiteral("the client reads EOF"));
    b.add(C, QStringLiteral("close"), QStringLiteral("the client closes"));
    b.fact(facts::noneBetweenSteps(QStringLiteral("the client's TCP state does not change after "
                                                  "the server's SHUT_RD: nothing was sent"),
                                   C,
                                   EventKind::State,
                                   shutRd,
                                   clientFin));
    b.fact(facts::noneBetweenSteps(QStringLiteral("the server's own TCP state does not change "
                                                  "either"),
                                   S,
                                   EventKind::State,
                                   shutRd,
                                   clientFin));
    b.fact(facts::receivedBytes(QStringLiteral("the server reads the bytes sent after its "
                                               "SHUT_RD"),
                                S,
                                late.size()));
    b.fact(facts::never(QStringLiteral("no RST on the client"), C, EventKind::Rst));
    return b.scenario();
}

Scenario shutRdwrVsClose()
{
    const QByteArray last = "last words\n";
    Builder b(QStringLiteral("shut-rdwr-vs-close"),
              QStringLiteral("SHUT_RDWR ends both directions but keeps the handle; close releases "
                             "it"),
              QStringLiteral(
                  "shutdown(SHUT_RDWR) sends a FIN after the last queued byte and ends reading, "
                  "but the handle stays valid: the kernel still answers for it (TCP_INFO reads "
                  "FIN_WAIT2), and a later send reaches the kernel, which fails it with EPIPE. "
                  "close() is what releases the handle; from then on the connection lives only "
                  "in the kernel's table (FIN_WAIT2, then TIME_WAIT). Tutorials often treat the "
                  "two as the same; shutdown acts on the connection, close on the handle."));
    b.add(C, sendText(last), QStringLiteral("the client sends its last words"));
    const int shut = b.add(C,
                           QStringLiteral("shutdown rdwr"),
                           QStringLiteral("SHUT_RDWR: a FIN after the last byte, no more "
                                          "reading; the handle stays"));
    b.add(S, QStringLiteral("read-until-eof"), QStringLiteral("the server reads to EOF"));
    const int again = b.add(C,
                            QStringLiteral("send more\\n"),
                            QStringLiteral("the client sends again: the kernel answers EPIPE"));
    const int close
        = b.add(C, QStringLiteral("close"), QStringLiteral("close releases the handle"));
    b.add(S, QStringLiteral("close"), QStringLiteral("the server closes"));
    b.fact(facts::kernelErrno(QStringLiteral("the send after SHUT_RDWR fails with EPIPE from the "
                                             "kernel's own send()"),
                              C,
                              EPIPE,
                              again));
    b.fact({QStringLiteral("after SHUT_RDWR the handle is still valid: the client's FIN_WAIT2 is "
                           "read from it (TCP_INFO)"),
            [shut, close](const ScenarioOutcome &o) -> FactResult {
                const QList<Event> states = facts::eventsOf(
                    o, C, EventKind::State, facts::stepStart(o, shut), facts::stepStart(o, close));
                for (const Event &e : states) {
                    if (e.state == TcpState::FinWait2 && e.text == 0)
                        return {true, facts::describe(o, e) + QStringLiteral(", from the handle")};
                }
                return {false,
                        QStringLiteral("%1 client state samples between the shutdown and the "
                                       "close, none FIN_WAIT2 from the handle")
                            .arg(states.size())};
            }});
    b.fact({QStringLiteral("after close the handle is gone: the client's state comes from the "
                           "kernel's table"),
            [close](const ScenarioOutcome &o) -> FactResult {
                const qint64 from = facts::stepStart(o, close);
                if (from < 0)
                    return {false, QStringLiteral("the close never started")};
                const QList<Event> states = facts::eventsOf(o, C, EventKind::State, from);
                for (const Event &e : states) {
                    if (e.text != 0)
                        return {true, facts::describe(o, e)};
                }
                return {false,
                        QStringLiteral("no client state from the kernel's table after "
                                       "close")};
            }});
    b.fact(facts::receivedBytes(
        QStringLiteral("the server reads the last words, then EOF"), S, last.size()));
    b.fact(facts::happens(QStringLiteral("the server reads EOF"), S, EventKind::Eof));
    return b.scenario();
}

Scenario sharedHandleClose()
{
    Builder b(QStringLiteral("shared-handle-close"),
              QStringLiteral("Closing one of two handles sends no FIN; shutdown does"),
              QStringLiteral(
                  "The client takes a second handle to its socket with dup(), as a forked child "
                  "holds a copy of its parent's. The kernel sends a FIN only when the last handle "
                  "is closed, so closing one of the two sends nothing: the server keeps reading "
                  "and sees no EOF, and the client stays ESTABLISHED. shutdown() acts on the "
                  "socket, not on a handle: with two handles open, SHUT_WR sends the FIN at once. "
                  "This is the classic forked-server bug (the parent closes its copy, the peer "
                  "never sees EOF), and why such servers call shutdown() before close()."));
    b.add(C, QStringLiteral("dup"), QStringLiteral("the client takes a second handle (dup)"));
    const int closeOne = b.add(C,
                               QStringLiteral("close-dup"),
                               QStringLiteral("it closes one of the two: nothing on the wire"));
    b.add(
        S, QStringLiteral("resume-reading"), QStringLiteral("the server reads in the background"));
    b.add(S, QStringLiteral("wait 300"), QStringLiteral("for 300 ms: no EOF comes"));
    b.add(C, QStringLiteral("dup"), QStringLiteral("the client takes a second handle again"));
    const int shut = b.add(C,
                           QStringLiteral("shutdown wr"),
                           QStringLiteral("SHUT_WR with two handles open: the FIN goes at once"));
    b.add(S, QStringLiteral("read-until-eof"), QStringLiteral("the server reads EOF"));
    b.add(C, QStringLiteral("close-dup"), QStringLiteral("the client closes the second handle"));
    b.add(C, QStringLiteral("close"), QStringLiteral("and the first: the socket is released"));
    b.add(S, QStringLiteral("close"), QStringLiteral("the server closes"));
    b.fact(facts::noneBetweenSteps(QStringLiteral("after one of two handles is closed the server "
                                                  "reads no EOF"),
                                   S,
                                   EventKind::Eof,
                                   closeOne,
                                   shut));
    b.fact(facts::noneBetweenSteps(QStringLiteral("and the client's TCP state does not change: no "
                                                  "FIN was sent"),
                                   C,
                                   EventKind::State,
                                   closeOne,
                                   shut));
    b.fact(facts::afterStep(QStringLiteral("after SHUT_WR the server reads EOF, though the client "
                                           "still holds two handles"),
                            S,
                            EventKind::Eof,
                            shut));
    b.fact(facts::never(QStringLiteral("no RST on the server"), S, EventKind::Rst));
    return b.scenario();
}

Scenario abortiveClose()
{
    Builder b(QStringLiteral("abortive-close"),
              QStringLiteral("SO_LINGER {1, 0} + close: RST, and the peer gets ECONNRESET"),
              QStringLiteral(
                  "The server sets SO_LINGER to {on, 0 s} and closes: the kernel sends RST "
                  "instead of FIN and discards anything unsent. The client is told ECONNRESET "
                  "(its recv fails with it, or SO_ERROR reports it if asked first); it never "
                  "reads EOF. The aborting end skips TIME_WAIT "
                  "entirely, which is why some servers do this, and why it is a bad idea: a lost "
                  "RST or a late segment is no longer handled cleanly, and the peer cannot tell "
                  "an abort from a crash. Qt's QAbstractSocket::abort() does not do this: it "
                  "sends a FIN (see DESIGN.md §2)."));
    b.add(C, sendText(Request), QStringLiteral("the client sends its request"));
    b.add(S, QStringLiteral("read"), QStringLiteral("the server reads it"));
    b.add(S,
          QStringLiteral("abort"),
          QStringLiteral("the server aborts: SO_LINGER {1, 0} then "
                         "close"));
    b.add(C, QStringLiteral("read-until-eof"), QStringLiteral("the client reads: ECONNRESET"));
    b.add(C, QStringLiteral("close"), QStringLiteral("the client closes"));
    b.fact(facts::resetWith(QStringLiteral("the client is told ECONNRESET (once, by whichever call "
                                           "asks first: its recv or SO_ERROR)"),
                            C,
                            ECONNRESET));
    b.fact(facts::never(
        QStringLiteral("the client never reads EOF: no FIN was sent"), C, EventKind::Eof));
    b.fact(facts::reachesState(
        QStringLiteral("the client's connection is CLOSE at once"), C, TcpState::Close));
    b.fact(facts::neverState(
        QStringLiteral("the aborting server leaves no TIME_WAIT behind"), S, TcpState::TimeWait));
    return b.scenario();
}

Scenario sendAfterShutWr()
{
    const QByteArray request = "request\n";
    const QByteArray reply = "reply\n";
    Builder b(QStringLiteral("send-after-shut-wr"),
              QStringLiteral("A send after SHUT_WR fails with EPIPE; receiving still works"),
              QStringLiteral(
                  "After shutdown(SHUT_WR) the write side is over: the kernel fails every later "
                  "send with EPIPE (and raises SIGPIPE, which kills a program that did not pass "
                  "MSG_NOSIGNAL or ignore the signal). Nothing goes on the wire, so the server "
                  "receives only what came before the FIN. The read side is untouched: the "
                  "reply still arrives. Tutorials that call SHUT_WR a close miss both halves."));
    b.add(C, sendText(request), QStringLiteral("the client sends its request"));
    b.add(C, QStringLiteral("shutdown wr"), QStringLiteral("the client half-closes"));
    const int late = b.add(C,
                           QStringLiteral("send an afterthought\\n"),
                           QStringLiteral("the client sends again: EPIPE from the kernel"));
    b.add(S, QStringLiteral("read-until-eof"), QStringLiteral("the server reads to EOF"));
    b.add(S, sendText(reply), QStringLiteral("the server replies"));
    b.add(S, QStringLiteral("close"), QStringLiteral("the server closes"));
    b.add(C, QStringLiteral("read-until-eof"), QStringLiteral("the client reads the reply"));
    b.add(C, QStringLiteral("close"), QStringLiteral("the client closes"));
    b.fact(facts::kernelErrno(QStringLiteral("the send after SHUT_WR fails with EPIPE from the "
                                             "kernel's own send()"),
                              C,
                              EPIPE,
                              late));
    b.fact(facts::receivedBytes(QStringLiteral("the server receives only the bytes before the "
                                               "FIN"),
                                S,
                                request.size()));
    b.fact(facts::happens(QStringLiteral("the server reads EOF"), S, EventKind::Eof));
    b.fact(facts::receivedBytes(
        QStringLiteral("the client still receives the reply"), C, reply.size()));
    return b.scenario();
}

Scenario timeWaitSide()
{
    Builder b(QStringLiteral("time-wait-side"),
              QStringLiteral("The end whose FIN goes first ends in TIME_WAIT"),
              QStringLiteral(
                  "In the half-close pattern the client's FIN goes first, so the client is the "
                  "active closer: after the server's FIN it sits in TIME_WAIT for 60 s on Linux, "
                  "and the server, which closed second, passes through LAST_ACK and is gone. An "
                  "open fd never reads TIME_WAIT (TCP_INFO says CLOSE), so FinScope looks the "
                  "connection up in the kernel's table after close. Tutorials often say \"the "
                  "server ends in TIME_WAIT\"; it is whoever sends the first FIN."));
    b.add(C, sendText(Request), QStringLiteral("the client sends its request"));
    b.add(C, QStringLiteral("shutdown wr"), QStringLiteral("the client's FIN goes first"));
    b.add(S, QStringLiteral("read-until-eof"), QStringLiteral("the server reads to EOF"));
    b.add(S, sendText(Reply), QStringLiteral("the server replies"));
    b.add(S, QStringLiteral("close"), QStringLiteral("the server closes: its FIN goes second"));
    b.add(C, QStringLiteral("read-until-eof"), QStringLiteral("the client reads the reply to EOF"));
    b.add(C, QStringLiteral("close"), QStringLiteral("the client closes"));
    b.fact(facts::reachesState(QStringLiteral("the client, whose FIN went first, ends in "
                                              "TIME_WAIT (in the kernel's table after close)"),
                               C,
                               TcpState::TimeWait));
    b.fact(facts::neverState(QStringLiteral("the server, which closed second, never shows "
                                            "TIME_WAIT"),
                             S,
                             TcpState::TimeWait));
    b.fact(facts::finalState(QStringLiteral("the server's connection is gone from the kernel's "
                                            "table"),
                             S,
                             TcpState::Close));
    return b.scenario();
}

Scenario qtSocketClosesOnFin()
{
    Builder b(QStringLiteral("qtcpsocket-closes-on-fin"),
              QStringLiteral("A QTcpSocket server closes on the client's FIN: the reply never "
                             "arrives"),
              QStringLiteral(
                  "The request and reply of half-close-request-response, but the server's end is "
                  "held by a QTcpSocket, as most Qt programs hold it. When the client's FIN "
                  "arrives, Qt reads 0, reports RemoteHostClosedError and closes the whole "
                  "socket at once, both directions: its FIN follows the client's within "
                  "milliseconds. When the application then writes its reply, the socket is "
                  "already closed. The client (FinScope's own endpoint) reads EOF and no reply. "
                  "Qt's documentation does not say this; it is why FinScope's engine never lets "
                  "a QTcpSocket own a connection (DESIGN.md §2)."));
    b.scenario().serverSocket = Scenario::ServerSocket::QtSocket;
    b.add(C, sendText(Request), QStringLiteral("the client sends its request"));
    b.add(C, QStringLiteral("shutdown wr"), QStringLiteral("the client half-closes"));
    b.add(S,
          QStringLiteral("read-until-eof"),
          QStringLiteral("the Qt server waits for the end "
                         "of the request"));
    const int reply = b.add(S, sendText(Reply), QStringLiteral("the Qt server writes its reply"));
    b.add(C, QStringLiteral("read-until-eof"), QStringLiteral("the client reads: EOF, no reply"));
    b.add(C, QStringLiteral("close"), QStringLiteral("the client closes"));
    b.fact(facts::receivedBytes(
        QStringLiteral("the QTcpSocket reads the whole request"), S, Request.size()));
    b.fact({QStringLiteral("Qt closes the server's end before the application writes its reply"),
            [reply](const ScenarioOutcome &o) -> FactResult {
                const QList<Event> closes = facts::eventsOf(o, S, EventKind::Close);
                const qint64 replyAt = facts::stepStart(o, reply);
                if (closes.isEmpty())
                    return {false, QStringLiteral("the QTcpSocket never closed")};
                if (replyAt < 0)
                    return {false, QStringLiteral("the reply step never started")};
                return {closes.first().tNs < replyAt,
                        QStringLiteral("%1; the reply step started at %2")
                            .arg(facts::describe(o, closes.first()), facts::seconds(replyAt))};
            }});
    b.fact(facts::afterStep(QStringLiteral("the reply's write is refused: the socket is closed"),
                            S,
                            EventKind::Error,
                            reply));
    b.fact(facts::happens(QStringLiteral("the client reads EOF: Qt's FIN"), C, EventKind::Eof));
    b.fact(facts::receivedBytes(QStringLiteral("the client never receives the reply"), C, 0));
    return b.scenario();
}

} // namespace

QList<Scenario> ScenarioCatalog::all()
{
    return {halfCloseRequestResponse(),
            missingShutWrHang(),
            echoDeadlock(),
            echoDeadlockFixed(),
            closeWithUnreadDataRst(),
            shutRdLocalOnly(),
            shutRdwrVsClose(),
            sharedHandleClose(),
            abortiveClose(),
            sendAfterShutWr(),
            timeWaitSide(),
            qtSocketClosesOnFin()};
}

QStringList ScenarioCatalog::ids()
{
    QStringList out;
    for (const Scenario &scenario : all())
        out.append(scenario.id);
    return out;
}

std::optional<Scenario> ScenarioCatalog::find(const QString &id)
{
    for (const Scenario &scenario : all()) {
        if (scenario.id == id)
            return scenario;
    }
    return std::nullopt;
}

} // namespace finscope
