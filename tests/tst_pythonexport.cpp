// The Python export: the statement each action kind becomes, and generated scripts run by python3
// against a finscope engine server on loopback, whose recording says what the peer observed.

#include "engine/core/action.h"
#include "engine/run/actionrunner.h"
#include "engine/run/workbench.h"
#include "engine/session/pythonexport.h"
#include "engine/session/session.h"

#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <memory>

using namespace finscope;

namespace {

QString python()
{
    return QStandardPaths::findExecutable(QStringLiteral("python3"));
}

// A session in which client 1 ran `actions`, 1 ms apart (below PythonExport::MinGapNs, so no
// recorded gap shows up as a sleep), against `target`.
Session clientSession(const QStringList &actions, const QString &target)
{
    Session session;
    session.wallClockStart = QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    session.tool = QStringLiteral("tst_pythonexport");
    EndpointRecord client;
    client.side = Side::Client;
    client.conn = 1;
    client.target = target;
    session.endpoints.append(client);
    qint64 t = 0;
    for (const QString &text : actions) {
        RecordedAction action;
        action.tNs = t;
        action.side = Side::Client;
        action.conn = 1;
        action.text = text;
        session.actions.append(action);
        t += 1'000'000;
    }
    return session;
}

// A client that sent "ping" in a send that blocked for 2 s when recorded, then closed 100 ms
// after it returned; withEnd false drops the recorded end (a session saved before end_ns).
Session blockedSendThenClose(const QString &target, bool withEnd)
{
    Session session = clientSession({QStringLiteral("send ping"), QStringLiteral("close")}, target);
    session.actions[0].endNs = withEnd ? 2'000'000'000 : -1;
    session.actions[1].tNs = 2'100'000'000;
    return session;
}

// The body of `def client_1(c):`, one statement a line, without the indent.
QStringList clientBody(const QString &script)
{
    QStringList body;
    bool inside = false;
    for (const QString &line : script.split(u'\n')) {
        if (line == QLatin1StringView("def client_1(c):")) {
            inside = true;
            continue;
        }
        if (!inside)
            continue;
        if (!line.startsWith(QLatin1StringView("    ")))
            break;
        body.append(line.mid(4));
    }
    return body;
}

// A finscope engine server on 127.0.0.1 at a port the OS picks, running `actions` on each
// accepted connection; its recorder holds what it observed.
class EngineServer
{
public:
    explicit EngineServer(const QStringList &actions)
    {
        QString error;
        m_actions = Action::parseList(actions, &error).value_or(QList<Action>());
        QObject::connect(&m_workbench,
                         &Workbench::serverConnectionAdded,
                         &m_workbench,
                         [this](Endpoint *endpoint) {
                             auto *runner = new ActionRunner(endpoint, m_actions, &m_workbench);
                             m_workbench.recorder()->attach(runner);
                             m_runners.append(runner);
                             runner->start();
                         });
        m_listening = m_workbench.listen(QHostAddress::LocalHost, 0, &error);
    }

    bool isListening() const { return m_listening; }
    quint16 port() const { return m_workbench.listenPort(); }
    const EventStore &events() const { return m_workbench.events(); }
    bool finished() const { return !m_runners.isEmpty() && m_runners.first()->isFinished(); }
    bool succeeded() const { return finished() && m_runners.first()->succeeded(); }

    // The time of the first event of `kind` on server connection 1, or -1.
    qint64 firstTime(EventKind kind) const
    {
        const EventStore &store = events();
        for (qsizetype i = 0; i < store.size(); ++i) {
            const Event &e = store.at(i);
            if (e.side == Side::Server && e.conn == 1 && e.kind == kind)
                return e.tNs;
        }
        return -1;
    }

private:
    Workbench m_workbench;
    QList<Action> m_actions;
    QList<ActionRunner *> m_runners;
    bool m_listening = false;
};

struct ScriptRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

// Writes the script and runs it with python3 and `args`, keeping this event loop running so an
// engine server in this process can answer.
ScriptRun runScript(const QString &script, const QStringList &args)
{
    ScriptRun run;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("script.py"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(script.toUtf8()) < 0) {
        run.err = QStringLiteral("cannot write %1").arg(path);
        return run;
    }
    file.close();
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(python(), QStringList{path} + args);
    if (!finished.wait(20000)) {
        process.kill();
        process.waitForFinished();
        run.err = QStringLiteral("the script did not finish");
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

struct StatementRow
{
    const char *name;
    const char *action;
    const char *statement;
};

// One row per action kind (three for shutdown): the action and the statement it becomes.
const StatementRow StatementRows[] = {
    {"send escapes what is not printable",
     "send it's\\n\\t\\x01\\\\",
     "c.send(b'it\\'s\\n\\t\\x01\\\\')"},
    {"send-hex", "send-hex 00ff41", "c.send(b'\\x00\\xffA')"},
    {"send-file", "send-file /tmp/request.bin", "c.send_file('/tmp/request.bin')"},
    {"send-pattern in bytes", "send-pattern 4K", "c.send_pattern(4096)"},
    {"shutdown wr", "shutdown wr", "c.shutdown(socket.SHUT_WR, 'wr')"},
    {"shutdown rd", "shutdown rd", "c.shutdown(socket.SHUT_RD, 'rd')"},
    {"shutdown rdwr", "shutdown rdwr", "c.shutdown(socket.SHUT_RDWR, 'rdwr')"},
    {"close", "close", "c.close()"},
    {"abort", "abort", "c.abort()"},
    {"read", "read", "c.read()"},
    {"read-until-eof", "read-until-eof", "c.read_until_eof()"},
    {"pause-reading is nothing to a blocking program",
     "pause-reading",
     "pass  # pause-reading: this script reads only when an action does"},
    {"resume-reading is nothing to a blocking program",
     "resume-reading",
     "pass  # resume-reading: this script reads only when an action does"},
    {"echo", "echo", "c.respond(lambda data: data)"},
    {"echo-upper", "echo-upper", "c.respond(lambda data: data.upper())"},
    {"discard", "discard", "c.respond(None)"},
    {"wait in seconds", "wait 250", "time.sleep(0.250)"},
    {"expect-eof", "expect-eof", "c.expect('eof')"},
    {"expect-rst", "expect-rst", "c.expect('rst')"},
    {"dup takes a second handle", "dup", "c.dup()"},
    {"close-dup closes only that handle", "close-dup", "c.close_dup()"},
};

// How many kinds Action has. The switch has no default: a kind added to Action::Kind stops the
// build here (-Werror=switch) until it is listed, and then everyActionKindHasARow asks for its row.
int actionKindCount(Action::Kind kind)
{
    switch (kind) {
    case Action::Kind::Send:
    case Action::Kind::SendHex:
    case Action::Kind::SendFile:
    case Action::Kind::SendPattern:
    case Action::Kind::Shutdown:
    case Action::Kind::Close:
    case Action::Kind::Abort:
    case Action::Kind::Read:
    case Action::Kind::ReadUntilEof:
    case Action::Kind::PauseReading:
    case Action::Kind::ResumeReading:
    case Action::Kind::Echo:
    case Action::Kind::EchoUpper:
    case Action::Kind::Discard:
    case Action::Kind::Wait:
    case Action::Kind::ExpectEof:
    case Action::Kind::ExpectRst:
    case Action::Kind::Dup:
    case Action::Kind::CloseDup:
        return 19;
    }
    return 0;
}

QStringList rowActions()
{
    QStringList actions;
    for (const StatementRow &row : StatementRows)
        actions.append(QString::fromUtf8(row.action));
    return actions;
}

} // namespace

class TestPythonExport : public QObject
{
    Q_OBJECT

private slots:
    void statementOfEachAction_data();
    void statementOfEachAction();
    void everyActionKindHasARow();
    void everyStatementIsValidPython();
    void halfCloseClientAgainstEngineServer();
    void sharedHandleHoldsTheFin_data();
    void sharedHandleHoldsTheFin();
    void gapsAreSleptAfterTheActionBefore();
    void gapAfterABlockingSendIsRelative();
    void hostileTextStaysData_data();
    void hostileTextStaysData();
    void literalReadsBackAsTheText_data();
    void literalReadsBackAsTheText();
    void hugeWaitsAreCutToWhatSleepAccepts();
};

void TestPythonExport::statementOfEachAction_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("statement");
    for (const StatementRow &row : StatementRows)
        QTest::newRow(row.name) << QString::fromUtf8(row.action)
                                << QString::fromUtf8(row.statement);
}

void TestPythonExport::statementOfEachAction()
{
    QFETCH(QString, action);
    QFETCH(QString, statement);
    QString error;
    const auto script = PythonExport::script(
        clientSession({action}, QStringLiteral("127.0.0.1:5555")), Side::Client, &error);
    QVERIFY2(script, qPrintable(error));
    QCOMPARE(clientBody(*script), QStringList{statement});
}

// A kind added to Action without a row in StatementRows fails here.
void TestPythonExport::everyActionKindHasARow()
{
    QSet<int> covered;
    for (const QString &text : rowActions()) {
        QString error;
        const auto action = Action::parse(text, &error);
        QVERIFY2(action, qPrintable(error));
        covered.insert(int(action->kind));
    }
    const int count = actionKindCount(Action::Kind::Send);
    QCOMPARE(int(Action::Kind::CloseDup) + 1, count); // the enum counts from 0 without gaps
    for (int kind = 0; kind < count; ++kind)
        QVERIFY2(covered.contains(kind), qPrintable(QStringLiteral("kind %1").arg(kind)));
}

// Every statement together in one script, which python3 must accept.
void TestPythonExport::everyStatementIsValidPython()
{
    if (python().isEmpty())
        QSKIP("python3 is not installed");
    const QStringList actions = rowActions();
    QString error;
    const auto script = PythonExport::script(
        clientSession(actions, QStringLiteral("127.0.0.1:5555")), Side::Client, &error);
    QVERIFY2(script, qPrintable(error));
    QCOMPARE(clientBody(*script).size(), actions.size());
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("all.py"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(script->toUtf8());
    file.close();
    // Parsed, not run: a syntax error makes ast.parse raise, and python3 exit 1.
    QProcess compile;
    compile.start(python(),
                  {QStringLiteral("-c"),
                   QStringLiteral("import ast, sys; ast.parse(open(sys.argv[1]).read())"),
                   path});
    QVERIFY(compile.waitForFinished(20000));
    QVERIFY2(compile.exitCode() == 0, compile.readAllStandardError().constData());
}

// The README's half-close, played by the exported client script against an engine server: the
// request, SHUT_WR, and the reply read after it to the server's FIN.
void TestPythonExport::halfCloseClientAgainstEngineServer()
{
    if (python().isEmpty())
        QSKIP("python3 is not installed");
    EngineServer server({QStringLiteral("read-until-eof"),
                         QStringLiteral("send Message received.\\n"),
                         QStringLiteral("shutdown wr"),
                         QStringLiteral("close")});
    QVERIFY(server.isListening());
    QString error;
    const auto script
        = PythonExport::script(clientSession({QStringLiteral("send Hello, server"),
                                              QStringLiteral("shutdown wr"),
                                              QStringLiteral("read-until-eof"),
                                              QStringLiteral("expect-eof"),
                                              QStringLiteral("close")},
                                             QStringLiteral("127.0.0.1:%1").arg(server.port())),
                               Side::Client,
                               &error);
    QVERIFY2(script, qPrintable(error));

    // No arguments: the script connects to the recorded target.
    const ScriptRun run = runScript(*script, {});
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    const qsizetype fin = run.out.indexOf(QLatin1StringView("client 1  shutdown wr"));
    const qsizetype reply
        = run.out.indexOf(QLatin1StringView("client 1  recv 18 B b'Message received.\\n'"));
    const qsizetype eof = run.out.indexOf(QLatin1StringView("client 1  eof"));
    QVERIFY2(fin >= 0 && reply > fin && eof > reply, qPrintable(run.out));

    // The server got the whole request, then the script's FIN as its EOF, and answered after it.
    QTRY_VERIFY(server.finished());
    QVERIFY(server.succeeded());
    const PayloadStream *received
        = server.events().payloadStream(Side::Server, 1, Direction::Received);
    QVERIFY(received);
    QCOMPARE(received->data, QByteArray("Hello, server"));
    const qint64 serverEof = server.firstTime(EventKind::Eof);
    const qint64 serverSend = server.firstTime(EventKind::Send);
    QVERIFY(serverEof >= 0);
    QVERIFY(serverSend > serverEof);
    QCOMPARE(server.firstTime(EventKind::Rst), -1);
}

void TestPythonExport::sharedHandleHoldsTheFin_data()
{
    QTest::addColumn<QStringList>("actions");
    QTest::addColumn<bool>("finWaitsForTheWait");
    // The script waits 600 ms between closing one handle and the other: the peer's EOF comes
    // after that wait only while a second handle held the socket open.
    QTest::newRow("dup, close: no FIN until close-dup")
        << QStringList{"send ping", "dup", "close", "wait 600", "close-dup"} << true;
    QTest::newRow("dup, close-dup: no FIN until close")
        << QStringList{"send ping", "dup", "close-dup", "wait 600", "close"} << true;
    QTest::newRow("close with no second handle: FIN at once")
        << QStringList{"send ping", "close", "wait 600"} << false;
}

void TestPythonExport::sharedHandleHoldsTheFin()
{
    QFETCH(QStringList, actions);
    QFETCH(bool, finWaitsForTheWait);
    if (python().isEmpty())
        QSKIP("python3 is not installed");
    EngineServer server({QStringLiteral("read-until-eof"), QStringLiteral("close")});
    QVERIFY(server.isListening());
    QString error;
    const auto script = PythonExport::script(
        clientSession(actions, QStringLiteral("127.0.0.1:9")), Side::Client, &error);
    QVERIFY2(script, qPrintable(error));

    const ScriptRun run
        = runScript(*script, {QStringLiteral("127.0.0.1"), QString::number(server.port())});
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    // Every handle was there to close.
    QVERIFY2(!run.out.contains(QLatin1StringView("client 1  error")), qPrintable(run.out));
    QTRY_VERIFY(server.finished());

    // What the peer observed: the request, then its EOF, and how long after.
    const PayloadStream *received
        = server.events().payloadStream(Side::Server, 1, Direction::Received);
    QVERIFY(received);
    QCOMPARE(received->data, QByteArray("ping"));
    const qint64 recv = server.firstTime(EventKind::Recv);
    const qint64 eof = server.firstTime(EventKind::Eof);
    QVERIFY(recv >= 0);
    QVERIFY2(eof >= 0, "the peer never read EOF");
    QCOMPARE(server.firstTime(EventKind::Rst), -1);
    const qint64 gapMs = (eof - recv) / 1'000'000;
    if (finWaitsForTheWait)
        QVERIFY2(gapMs >= 500, qPrintable(QStringLiteral("EOF %1 ms after the data").arg(gapMs)));
    else
        QVERIFY2(gapMs < 300, qPrintable(QStringLiteral("EOF %1 ms after the data").arg(gapMs)));
}

void TestPythonExport::gapsAreSleptAfterTheActionBefore()
{
    QString error;
    auto script = PythonExport::script(
        blockedSendThenClose(QStringLiteral("127.0.0.1:5555"), true), Side::Client, &error);
    QVERIFY2(script, qPrintable(error));
    QCOMPARE(clientBody(*script), QStringList({"c.send(b'ping')", "c.gap(0.100)", "c.close()"}));
    // Without recorded ends, the recorded start as before.
    script = PythonExport::script(
        blockedSendThenClose(QStringLiteral("127.0.0.1:5555"), false), Side::Client, &error);
    QVERIFY2(script, qPrintable(error));
    QCOMPARE(clientBody(*script), QStringList({"c.send(b'ping')", "c.at(2.100)", "c.close()"}));
}

// The send returns at once here: the FIN follows it by the recorded 100 ms, not at 2.1 s.
void TestPythonExport::gapAfterABlockingSendIsRelative()
{
    if (python().isEmpty())
        QSKIP("python3 is not installed");
    EngineServer server({QStringLiteral("read-until-eof"), QStringLiteral("close")});
    QVERIFY(server.isListening());
    QString error;
    const auto script = PythonExport::script(
        blockedSendThenClose(QStringLiteral("127.0.0.1:%1").arg(server.port()), true),
        Side::Client,
        &error);
    QVERIFY2(script, qPrintable(error));
    const ScriptRun run = runScript(*script, {});
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QTRY_VERIFY(server.finished());
    const qint64 recv = server.firstTime(EventKind::Recv);
    const qint64 eof = server.firstTime(EventKind::Eof);
    QVERIFY(recv >= 0 && eof >= 0);
    const qint64 gapMs = (eof - recv) / 1'000'000;
    QVERIFY2(gapMs >= 90 && gapMs < 1500,
             qPrintable(QStringLiteral("EOF %1 ms after the data").arg(gapMs)));
}

namespace {

// Strings a crafted session might hold, each meant to end a literal, comment or docstring early,
// break the script's compilation or change how Python reads it. MARKER is replaced by Python code
// that creates a file: the script must never run it.
void addHostileRows()
{
    QTest::addColumn<QString>("hostile");
    QTest::newRow("triple double quote") << QStringLiteral("x\"\"\"\nMARKER\n\"\"\"");
    QTest::newRow("triple single quote") << QStringLiteral("x'''\nMARKER\n'''");
    QTest::newRow("single quote") << QStringLiteral("x')\nMARKER\n('");
    QTest::newRow("named escape") << QStringLiteral("\\N{x}");
    QTest::newRow("backslash at the end") << QStringLiteral("path\\");
    QTest::newRow("newline then import") << QStringLiteral("x\nimport os; MARKER");
    QTest::newRow("newline then indented code") << QStringLiteral("x')\n    MARKER\n    c.x('");
    QTest::newRow("carriage return ends a comment") << QStringLiteral("x\rMARKER");
    QTest::newRow("form feed") << QStringLiteral("x\fMARKER");
    QTest::newRow("NUL") << QStringLiteral("a") + QChar(u'\0') + QStringLiteral("b");
    QTest::newRow("ESC sequences") << QStringLiteral("\x1b]0;owned\x07\x1b[2J\x1b]52;c;aGk=\x07");
    QTest::newRow("DEL and C1") << QStringLiteral("a\x7f") + QChar(0x9b) + QStringLiteral("31m");
    QTest::newRow("line separator U+2028")
        << QStringLiteral("x") + QChar(0x2028) + QStringLiteral("MARKER");
    QTest::newRow("bidi override") << QChar(0x202e) + QStringLiteral("gnp.exe");
    QTest::newRow("encoding declaration")
        << QStringLiteral("-*- coding: utf-7 -*- +AAo-MARKER+AAo-");
    QTest::newRow("non-ASCII and astral")
        << QStringLiteral("caf\u00e9 \u4e2d ") + QChar(0xd83d) + QChar(0xde00);
    QTest::newRow("arg markers") << QStringLiteral("%1 %2 %3 %L1");
}

} // namespace

// The hostile string as the session's tool, the client's target host and a send-file path: the
// script compiles and, run against a server, never runs the injected code.
void TestPythonExport::hostileTextStaysData_data()
{
    addHostileRows();
}

void TestPythonExport::hostileTextStaysData()
{
    QFETCH(QString, hostile);
    if (python().isEmpty())
        QSKIP("python3 is not installed");
    QTemporaryDir dir;
    const QString marker = dir.filePath(QStringLiteral("injected"));
    hostile.replace(QStringLiteral("MARKER"),
                    QStringLiteral("open('%1', 'w').close()").arg(marker));
    EngineServer server({QStringLiteral("read-until-eof"), QStringLiteral("close")});
    QVERIFY(server.isListening());
    Session session = clientSession({QStringLiteral("send hello"), QStringLiteral("close")},
                                    hostile + QStringLiteral(":5555"));
    session.tool = hostile;
    RecordedAction sendFile = session.actions.first();
    sendFile.text = QStringLiteral("send-file ") + hostile;
    // Action::parse takes the rest of the line as the path; one it refuses is left out.
    if (Action::parse(sendFile.text, nullptr))
        session.actions.insert(1, sendFile);
    QString error;
    const auto script = PythonExport::script(session, Side::Client, &error);
    QVERIFY2(script, qPrintable(error));
    for (const QChar c : *script)
        QVERIFY2(c == u'\n' || (c.unicode() >= 0x20 && c.unicode() < 0x7f),
                 qPrintable(QStringLiteral("U+%1 in the script").arg(c.unicode(), 4, 16)));

    const QString path = dir.filePath(QStringLiteral("hostile.py"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(script->toUtf8());
    file.close();
    QProcess compile;
    compile.start(python(), {QStringLiteral("-m"), QStringLiteral("py_compile"), path});
    QVERIFY(compile.waitForFinished(20000));
    QVERIFY2(compile.exitCode() == 0, compile.readAllStandardError().constData());

    const ScriptRun run
        = runScript(*script, {QStringLiteral("127.0.0.1"), QString::number(server.port())});
    QVERIFY2(run.exitCode >= 0, qPrintable(run.out + run.err));
    QVERIFY2(!QFile::exists(marker), qPrintable(run.out + run.err));
}

// What Python reads from PythonExport::stringLiteral is the text itself.
void TestPythonExport::literalReadsBackAsTheText_data()
{
    addHostileRows();
}

void TestPythonExport::literalReadsBackAsTheText()
{
    QFETCH(QString, hostile);
    if (python().isEmpty())
        QSKIP("python3 is not installed");
    const QString literal = PythonExport::stringLiteral(hostile);
    QProcess read;
    read.start(python(),
               {QStringLiteral("-c"),
                QStringLiteral("import ast, sys; sys.stdout.buffer.write("
                               "ast.literal_eval(sys.stdin.read()).encode('utf-8'))")});
    QVERIFY(read.waitForStarted());
    read.write(literal.toUtf8());
    read.closeWriteChannel();
    QVERIFY(read.waitForFinished(20000));
    QVERIFY2(read.exitCode() == 0, read.readAllStandardError().constData());
    QCOMPARE(QString::fromUtf8(read.readAllStandardOutput()), hostile);
    // And a comment never holds a line break or anything but printable ASCII.
    for (const QChar c : PythonExport::commentText(hostile))
        QVERIFY(c.unicode() >= 0x20 && c.unicode() < 0x7f);
}

// The longest wait a session holds (2^53 ns) is slept as recorded; a recorded gap of centuries:
// the script sleeps the longest time.sleep accepts, says so, and python3 accepts that length (it
// raises OverflowError past about 9.2e9 s).
void TestPythonExport::hugeWaitsAreCutToWhatSleepAccepts()
{
    Session session = clientSession(
        {QStringLiteral("wait 9007199254"), QStringLiteral("send ping"), QStringLiteral("close")},
        QStringLiteral("127.0.0.1:5555"));
    session.actions[1].endNs = 1'000'000;
    session.actions[2].tNs = std::numeric_limits<qint64>::max();
    QString error;
    const auto script = PythonExport::script(session, Side::Client, &error);
    QVERIFY2(script, qPrintable(error));
    const QStringList body = clientBody(*script);
    QCOMPARE(body.size(), 4);
    QCOMPARE(body.at(0), "time.sleep(9007199.254)");
    QCOMPARE(body.at(2),
             "c.gap(1000000000.000)  # recorded 9.22337e+09 s: cut to what time.sleep accepts");
    if (python().isEmpty())
        QSKIP("python3 is not installed");
    // The cut length is accepted: an alarm 50 ms later ends the sleep with exit 0.
    QProcess sleep;
    sleep.start(python(),
                {QStringLiteral("-c"),
                 QStringLiteral("import signal, sys, time\n"
                                "signal.signal(signal.SIGALRM, lambda *a: sys.exit(0))\n"
                                "signal.setitimer(signal.ITIMER_REAL, 0.05)\n"
                                "time.sleep(%1)\nsys.exit(2)")
                     .arg(PythonExport::MaxSleepSeconds, 0, 'f', 3)});
    QVERIFY(sleep.waitForFinished(20000));
    QVERIFY2(sleep.exitCode() == 0, sleep.readAllStandardError().constData());
}

QTEST_GUILESS_MAIN(TestPythonExport)
#include "tst_pythonexport.moc"
