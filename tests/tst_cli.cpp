// Drives the real finscope-cli binary: the README walkthrough, exit codes, and other real peers.

#include "engine/scenarios/scenariocatalog.h"
#include "engine/session/session.h"
#include "engine/socket/listener.h"
#include "support/firstlineport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <QTcpServer>
#include <QTcpSocket>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace finscope;

namespace {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
    QByteArray rawOut; // stdout as bytes: a PNG written to -
};

Result runCli(const QStringList &args,
              int timeoutMs = 30000,
              const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(FINSCOPE_CLI), args);
    Result r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("did not finish");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.rawOut = p.readAllStandardOutput();
    r.out = QString::fromUtf8(r.rawOut);
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// As on a server with no display: no QT_QPA_PLATFORM (ctest sets offscreen for the tests), no X11
// or Wayland. finscope-cli must choose the offscreen platform itself.
QProcessEnvironment headlessEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    // As on a server or in a container: the offscreen platform notices it, finscope-cli must not
    // pass that on.
    env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
    return env;
}

// Exports with finscope-cli headless.
Result runExport(const QStringList &args)
{
    return runCli(QStringList{QStringLiteral("export")} + args, 30000, headlessEnvironment());
}

QString example(const char *name)
{
    return QStringLiteral(FINSCOPE_EXAMPLES "/%1").arg(QLatin1StringView(name));
}

// True when some pixel differs from the first: the picture shows something.
bool hasMoreThanOneColour(const QImage &image)
{
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if (image.pixel(x, y) != first)
                return true;
        }
    }
    return false;
}

// Starts `finscope-cli server ...` and returns the port from its first line.
quint16 startServer(QProcess *server,
                    const QStringList &args,
                    const QByteArray &prefix = test::ServerListening)
{
    server->start(QStringLiteral(FINSCOPE_CLI), QStringList{QStringLiteral("server")} + args);
    return test::firstLinePort(server, prefix);
}

// A listener on 127.0.0.1 whose accept queue is full (backlog 0, one client in it, never
// accepted): the kernel drops every further SYN, so a connect to it stays in SYN_SENT.
class FullBacklog
{
public:
    FullBacklog()
    {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(addr);
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr *>(&addr), len) != 0
            || ::listen(m_listener, 0) != 0
            || ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
            return;
        m_first = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_first < 0 || ::connect(m_first, reinterpret_cast<sockaddr *>(&addr), len) != 0)
            return;
        m_port = ntohs(addr.sin_port);
    }
    ~FullBacklog()
    {
        for (const int fd : {m_first, m_listener}) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    quint16 port() const { return m_port; }

private:
    int m_listener = -1;
    int m_first = -1;
    quint16 m_port = 0;
};

bool haveIPv6Loopback()
{
    Listener probe;
    int err = 0;
    QString error;
    return probe.listenOn(QHostAddress::LocalHostIPv6, 0, &err, &error);
}

quint16 closedPort()
{
    Listener probe;
    int err = 0;
    QString error;
    probe.listenOn(QHostAddress::LocalHost, 0, &err, &error);
    return probe.serverPort();
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void readmeWalkthrough();
    void usageErrors_data();
    void usageErrors();
    void commandHelp_data();
    void commandHelp();
    void helpListsTheCommands_data();
    void helpListsTheCommands();
    void versionPrintsTheVersion();
    void optionsAnywhereAndDashIsStdout();
    void connectionRefusedExits3();
    void unknownHostExits3();
    void serverOnLocalhost();
    void serverOnAnyTakesIPv4_data();
    void serverOnAnyTakesIPv4();
    void timedOutConnectNamesTheAddress();
    void timedOutReplayConnectIsRecorded();
    void portInUseExits3();
    void timeoutExits1();
    void timeoutTakesFractions();
    void signalEndsTheRunAndSaves_data();
    void signalEndsTheRunAndSaves();
    void signalWhileSettlingEndsAtOnce();
    void signalDuringConnectRecordsItsEnd();
    void interruptedScenarioSaves();
    void closedStdoutStillSaves();
    void refusedBeforeConnecting_data();
    void refusedBeforeConnecting();
    void expectations_data();
    void expectations();
    void echoServerAnswersEveryChunk();
    void showRefusesBadFile();
    void showUnderAnAddressSpaceLimit();
    void diffOfHugeByteCountsSaturates();
    void fileTextReachesTheTerminalEscaped();
    void exportSvgEscapesTheTitle();
    void exportSvgDrawsTheTimeline();
    void exportPng();
    void exportPictureOfBadFileWritesNothing();
    void exportPictureWhateverPlatformIsSet();
    void exportIntoAPipeKeepsThePipe();
    void scenarioListListsEveryId();
    void scenarioRunHalfClose();
    void scenarioHangEndsByItsBound();
    void againstPythonSocketServer();
    void againstSocat();
};

void TestCli::readmeWalkthrough()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcess server;
    // The server takes a moment to answer, as a real one would: long enough that the client's
    // FIN_WAIT2 is sampled even on a loaded machine.
    const quint16 port = startServer(&server,
                                     {QStringLiteral("0"),
                                      QStringLiteral("read-until-eof"),
                                      QStringLiteral("wait 500"),
                                      QStringLiteral("send Message received.\\n"),
                                      QStringLiteral("shutdown wr"),
                                      QStringLiteral("close")});
    QVERIFY(port != 0);
    const QString saved = dir.filePath(QStringLiteral("s.json"));
    const Result client = runCli({QStringLiteral("client"),
                                  QStringLiteral("127.0.0.1:%1").arg(port),
                                  QStringLiteral("send Hello, server"),
                                  QStringLiteral("shutdown wr"),
                                  QStringLiteral("read-until-eof"),
                                  QStringLiteral("close"),
                                  QStringLiteral("--save"),
                                  saved});
    QVERIFY2(client.exitCode == 0, qPrintable(client.err));
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);
    const QString serverOut = QString::fromUtf8(server.readAllStandardOutput());
    QVERIFY2(serverOut.contains(QLatin1StringView("CLOSE_WAIT")), qPrintable(serverOut));
    QVERIFY(serverOut.contains(QLatin1StringView("Hello, server")));

    const Result show = runCli({QStringLiteral("show"), saved});
    QCOMPARE(show.exitCode, 0);
    // The request, the client's FIN, the reply, the server's FIN as the client's EOF, the states.
    const QStringList lines = show.out.split(u'\n');
    const auto lineWith = [&](const QString &a, const QString &b = {}) {
        for (qsizetype i = 0; i < lines.size(); ++i) {
            if (lines[i].contains(a) && lines[i].contains(b))
                return i;
        }
        return qsizetype(-1);
    };
    const qsizetype request = lineWith(QStringLiteral(" send "), QStringLiteral("Hello, server"));
    const qsizetype fin = lineWith(QStringLiteral(" shutdown "), QStringLiteral("wr"));
    const qsizetype finWait = lineWith(QStringLiteral("FIN_WAIT2"));
    const qsizetype reply = lineWith(QStringLiteral(" recv "), QStringLiteral("Message received."));
    const qsizetype eof = lineWith(QStringLiteral(" eof"));
    const qsizetype timeWait = lineWith(QStringLiteral("TIME_WAIT"));
    QVERIFY2(request >= 0 && fin > request, qPrintable(show.out));
    QVERIFY2(finWait > fin, qPrintable(show.out));
    QVERIFY2(reply > fin && eof > reply, qPrintable(show.out));
    QVERIFY2(timeWait > eof, qPrintable(show.out));

    const auto session = Session::load(saved, nullptr);
    QVERIFY(session);
    QCOMPARE(session->actions.size(), 4);
    QCOMPARE(session->endpoints.size(), 1);
    QCOMPARE(session->endpoints.first().peerAddress, QStringLiteral("127.0.0.1:%1").arg(port));
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("no command") << QStringList{} << "no command";
    QTest::newRow("unknown command") << QStringList{"connect"} << "unknown command 'connect'";
    QTest::newRow("client without address") << QStringList{"client"} << "needs an address";
    QTest::newRow("client without port")
        << QStringList{"client", "localhost", "close"} << "HOST:PORT";
    QTest::newRow("port out of range")
        << QStringList{"client", "127.0.0.1:70000", "close"} << "bad port";
    QTest::newRow("unknown action") << QStringList{"client", "127.0.0.1:9", "sned hi"} << "sned";
    QTest::newRow("bad size") << QStringList{"server", "0", "send-pattern 4X"} << "4X";
    QTest::newRow("timeout not a number")
        << QStringList{"server", "0", "--timeout", "soon"} << "--timeout";
    QTest::newRow("timeout under a millisecond")
        << QStringList{"client", "127.0.0.1:9", "close", "--timeout", "0.0001"}
        << "--timeout: expected seconds from 0.001";
    QTest::newRow("replay timeout not a duration")
        << QStringList{"replay", "s.json", "--timeout", "nan"} << "got 'nan'";
    QTest::newRow("unknown option") << QStringList{"server", "0", "--colour"} << "--colour";
    QTest::newRow("server address not an IP")
        << QStringList{"server", "example:0", "close"} << "not an IP address";
    QTest::newRow("scenario without verb") << QStringList{"scenario"} << "'list' or 'run ID'";
    QTest::newRow("scenario run without id")
        << QStringList{"scenario", "run"} << "'list' or 'run ID'";
    QTest::newRow("unknown scenario")
        << QStringList{"scenario", "run", "no-such-scenario"}
        << "unknown scenario 'no-such-scenario'; 'finscope-cli scenario list' lists them";
    QTest::newRow("export width too small")
        << QStringList{"export", "s.json", "--to", "png", "o.png", "--width", "5"}
        << "--width: expected a whole number from 200 to 10000, got '5'";
    QTest::newRow("export width too large")
        << QStringList{"export", "s.json", "--to", "svg", "o.svg", "--width=10001"} << "--width";
    QTest::newRow("export width not a number")
        << QStringList{"export", "s.json", "--width", "wide", "--to", "svg", "o.svg"} << "'wide'";
    QTest::newRow("export width for text")
        << QStringList{"export", "s.json", "--to", "text", "-", "--width", "800"}
        << "--width is for --to svg and --to png";
    QTest::newRow("export unknown format names all four")
        << QStringList{"export", "s.json", "--to", "pdf", "o.pdf"}
        << "exports text, svg, png and python, not 'pdf'";
    // Each command's own parser refuses what it does not know, naming it as typed.
    QTest::newRow("client unknown option")
        << QStringList{"client", "127.0.0.1:9", "close", "--colour=red"}
        << "unknown option '--colour'";
    QTest::newRow("client has no --connections")
        << QStringList{"client", "127.0.0.1:9", "--connections", "2"}
        << "unknown option '--connections'";
    QTest::newRow("unknown short option") << QStringList{"server", "0", "-x"} << "'-x'";
    QTest::newRow("scenario run unknown option")
        << QStringList{"scenario", "run", "abortive-close", "--fast"} << "'--fast'";
    QTest::newRow("show unknown option") << QStringList{"show", "s.json", "--all"} << "'--all'";
    QTest::newRow("replay unknown option")
        << QStringList{"replay", "s.json", "--loop"} << "unknown option '--loop'";
    QTest::newRow("diff unknown option")
        << QStringList{"diff", "a.json", "b.json", "--brief"} << "unknown option '--brief'";
    QTest::newRow("export unknown option")
        << QStringList{"export", "s.json", "--to", "text", "-", "--height", "5"}
        << "unknown option '--height'";
    QTest::newRow("unknown option before the command")
        << QStringList{"--colour", "client"} << "unknown option '--colour'";
    QTest::newRow("option without its value")
        << QStringList{"client", "127.0.0.1:9", "close", "--save"} << "'--save'";
    QTest::newRow("after -- an option is an action")
        << QStringList{"client", "127.0.0.1:9", "--", "--quiet"} << "unknown action '--quiet'";
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Result r = runCli(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
}

void TestCli::commandHelp_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("usage");
    QTest::addColumn<QStringList>("options");    // named in this command's help
    QTest::addColumn<QStringList>("notOptions"); // other commands' options, not named
    QTest::newRow("client") << QStringList{"client", "--help"}
                            << "finscope-cli client [options] HOST:PORT ACTION..."
                            << QStringList{"--save", "--timeout", "--quiet", "send-pattern"}
                            << QStringList{"--connections", "--speed", "--to"};
    QTest::newRow("server") << QStringList{"server", "-h"}
                            << "finscope-cli server [options] [ADDR:]PORT ACTION..."
                            << QStringList{"--save", "--timeout", "--connections", "--quiet"}
                            << QStringList{"--speed", "--to"};
    QTest::newRow("scenario") << QStringList{"scenario", "--help"}
                              << "finscope-cli scenario list|run ..."
                              << QStringList{"finscope-cli scenario list",
                                             "finscope-cli scenario run [options] ID"}
                              << QStringList{"--connections", "--to"};
    QTest::newRow("scenario list")
        << QStringList{"scenario", "list", "--help"} << "finscope-cli scenario list"
        << QStringList{"--help"} << QStringList{"--save", "--timeout"};
    QTest::newRow("scenario run") << QStringList{"scenario", "run", "--help"}
                                  << "finscope-cli scenario run [options] ID"
                                  << QStringList{"--save", "--timeout", "--quiet"}
                                  << QStringList{"--connections", "--to"};
    QTest::newRow("show") << QStringList{"show", "--help"} << "finscope-cli show FILE"
                          << QStringList{"FILE"} << QStringList{"--save", "--to"};
    QTest::newRow("replay") << QStringList{"replay", "--help"}
                            << "finscope-cli replay [options] FILE"
                            << QStringList{"--side",
                                           "--target",
                                           "--listen",
                                           "--speed",
                                           "--step",
                                           "--save",
                                           "--timeout",
                                           "--compare <teardown|payload>",
                                           "--strict"}
                            << QStringList{"--connections", "--to", "--width"};
    QTest::newRow("diff")
        << QStringList{"diff", "--help"} << "finscope-cli diff [options] A.json B.json"
        << QStringList{"A.json", "B.json", "--compare <teardown|payload>", "--strict"}
        << QStringList{"--save", "--to"};
    QTest::newRow("export") << QStringList{"export", "--help"}
                            << "finscope-cli export [options] FILE OUT"
                            << QStringList{"--to <text|svg|png|python>", "--side", "--width"}
                            << QStringList{"--save", "--timeout", "--speed"};
    // --help wins over everything else on the line: nothing connects.
    QTest::newRow("help among a client's arguments")
        << QStringList{"client", "127.0.0.1:9", "send hi", "--help", "close"}
        << "finscope-cli client [options] HOST:PORT ACTION..." << QStringList{"--save"}
        << QStringList{"ECONNREFUSED"};
    QTest::newRow("help COMMAND") << QStringList{"help", "replay"}
                                  << "finscope-cli replay [options] FILE" << QStringList{"--speed"}
                                  << QStringList{"--to"};
}

void TestCli::commandHelp()
{
    QFETCH(QStringList, args);
    QFETCH(QString, usage);
    QFETCH(QStringList, options);
    QFETCH(QStringList, notOptions);
    const Result r = runCli(args);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    QCOMPARE(r.out.section(u'\n', 0, 0), QStringLiteral("Usage: ") + usage);
    for (const QString &option : options)
        QVERIFY2(r.out.contains(option), qPrintable(option + QStringLiteral(" in\n") + r.out));
    for (const QString &option : notOptions)
        QVERIFY2(!r.out.contains(option), qPrintable(option + QStringLiteral(" in\n") + r.out));
}

void TestCli::helpListsTheCommands_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("--help") << QStringList{"--help"};
    QTest::newRow("-h") << QStringList{"-h"};
    QTest::newRow("help") << QStringList{"help"};
}

void TestCli::helpListsTheCommands()
{
    QFETCH(QStringList, args);
    const Result r = runCli(args);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    QVERIFY2(r.out.startsWith(QLatin1StringView("Usage: finscope-cli [options] COMMAND")),
             qPrintable(r.out));
    // Each command on a line of its own, with the summary its --help starts with.
    for (const char *command :
         {"client", "server", "scenario", "show", "replay", "diff", "export"}) {
        const Result own = runCli({QLatin1StringView(command), QStringLiteral("--help")});
        const QString summary = own.out.section(u'\n', 1, 1);
        QVERIFY(!summary.isEmpty());
        const QRegularExpression line(
            QStringLiteral("\n  %1 +%2\n")
                .arg(QLatin1StringView(command), QRegularExpression::escape(summary)));
        QVERIFY2(r.out.contains(line), qPrintable(QLatin1StringView(command) + u'\n' + r.out));
    }
    QVERIFY(r.out.contains(QLatin1StringView("--version")));
}

void TestCli::versionPrintsTheVersion()
{
    for (const char *option : {"--version", "-v"}) {
        const Result r = runCli({QLatin1StringView(option)});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QStringLiteral("finscope-cli " FINSCOPE_VERSION "\n"));
        QVERIFY(r.err.isEmpty());
    }
}

// Options before, between and after the positional arguments, --opt=value, and a lone - as OUT.
void TestCli::optionsAnywhereAndDashIsStdout()
{
    const QString session = example("both-ends-half-close.json");
    const Result show = runCli({QStringLiteral("show"), session});
    QCOMPARE(show.exitCode, 0);
    QVERIFY(show.out.contains(QLatin1StringView("server 1  eof")));
    for (const QStringList &args : {QStringList{"export", "--to", "text", session, "-"},
                                    QStringList{"export", session, "--to=text", "-"},
                                    QStringList{"export", session, "-", "--to", "text"}}) {
        const Result r = runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(args.join(u' ') + u'\n' + r.err));
        QCOMPARE(r.out, show.out);
    }
    // Before the scenario's verb too.
    for (const QStringList &args :
         {QStringList{"scenario", "--timeout", "5", "run", "shut-rd-local-only", "--quiet"},
          QStringList{"scenario", "--quiet", "--settle=0", "run", "shut-rd-local-only"}}) {
        const Result r = runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(args.join(u' ') + u'\n' + r.err));
        QVERIFY2(r.out.contains(QLatin1StringView("ok   ")), qPrintable(r.out));
    }
}

void TestCli::connectionRefusedExits3()
{
    const quint16 port = closedPort();
    const Result r = runCli({QStringLiteral("client"),
                             QStringLiteral("127.0.0.1:%1").arg(port),
                             QStringLiteral("close")});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(QLatin1StringView("refused")), qPrintable(r.err));
    QVERIFY(r.err.contains(QString::number(port)));
    QVERIFY2(r.out.contains(QLatin1StringView("ECONNREFUSED")), qPrintable(r.out));
}

void TestCli::unknownHostExits3()
{
    const Result r = runCli({QStringLiteral("client"),
                             QStringLiteral("no-such-host.invalid:80"),
                             QStringLiteral("close")});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(QLatin1StringView("no-such-host.invalid")), qPrintable(r.err));
    QCOMPARE(r.err.count(u'\n'), 1); // one sentence
}

// `server localhost:0` listens (on 127.0.0.1) as `client localhost:PORT` connects.
void TestCli::serverOnLocalhost()
{
    QProcess server;
    const quint16 port = startServer(
        &server,
        {QStringLiteral("localhost:0"), QStringLiteral("read-until-eof"), QStringLiteral("close")});
    QVERIFY(port != 0);
    const Result r = runCli({QStringLiteral("client"),
                             QStringLiteral("localhost:%1").arg(port),
                             QStringLiteral("send hi"),
                             QStringLiteral("shutdown wr"),
                             QStringLiteral("read-until-eof"),
                             QStringLiteral("close")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("peer 127.0.0.1:%1").arg(port)), qPrintable(r.out));
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);
}

void TestCli::serverOnAnyTakesIPv4_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("ipv4Exit");
    QTest::newRow("dual-stack") << QStringList() << 0;
    QTest::newRow("--v6only") << QStringList{QStringLiteral("--v6only")} << 3;
}

// `server [::]:0` takes IPv4 clients as Linux programs on :: do, unless --v6only; IPv6 clients
// either way.
void TestCli::serverOnAnyTakesIPv4()
{
    QFETCH(QStringList, options);
    QFETCH(int, ipv4Exit);
    if (!haveIPv6Loopback())
        QSKIP("no IPv6 loopback (::1) here");
    QProcess server;
    const quint16 port = startServer(&server,
                                     QStringList{QStringLiteral("[::]:0"),
                                                 QStringLiteral("close"),
                                                 QStringLiteral("--connections"),
                                                 QStringLiteral("%1").arg(ipv4Exit == 0 ? 2 : 1),
                                                 QStringLiteral("--timeout"),
                                                 QStringLiteral("20")}
                                         + options,
                                     "listening on [::]:");
    QVERIFY(port != 0);
    const Result v4 = runCli({QStringLiteral("client"),
                              QStringLiteral("127.0.0.1:%1").arg(port),
                              QStringLiteral("read-until-eof")});
    QCOMPARE(v4.exitCode, ipv4Exit);
    if (ipv4Exit != 0)
        QVERIFY2(v4.err.contains(QLatin1StringView("refused")), qPrintable(v4.err));
    const Result v6 = runCli({QStringLiteral("client"),
                              QStringLiteral("[::1]:%1").arg(port),
                              QStringLiteral("read-until-eof")});
    QCOMPARE(v6.exitCode, 0);
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);
    const QString out = QString::fromUtf8(server.readAllStandardOutput());
    if (ipv4Exit == 0) // the IPv4 client as itself, not as ::ffff:127.0.0.1
        QVERIFY2(out.contains(QLatin1StringView("peer 127.0.0.1:")), qPrintable(out));
}

// A connect whose SYN is never answered, ended by --timeout: the sentence names the address, and
// the saved session keeps the attempt (SYN_SENT) and its end as events.
void TestCli::timedOutConnectNamesTheAddress()
{
    FullBacklog full;
    QVERIFY(full.port() != 0);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString saved = dir.filePath(QStringLiteral("s.json"));
    const QString address = QStringLiteral("127.0.0.1:%1").arg(full.port());
    const Result r = runCli({QStringLiteral("client"),
                             address,
                             QStringLiteral("close"),
                             QStringLiteral("--timeout"),
                             QStringLiteral("1"),
                             QStringLiteral("--save"),
                             saved});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("connect to %1").arg(address)), qPrintable(r.err));
    QVERIFY2(r.err.contains(QLatin1StringView("timed out after 1 s")), qPrintable(r.err));
    QCOMPARE(r.err.count(u'\n'), 1); // one sentence

    QString error;
    const auto session = Session::load(saved, &error);
    QVERIFY2(session, qPrintable(error));
    const auto &events = session->events.events();
    QCOMPARE(events.size(), size_t(2));
    QCOMPARE(events[0].kind, EventKind::State);
    QCOMPARE(events[0].state, TcpState::SynSent);
    QVERIFY(session->events.string(events[0].text).contains(address));
    QCOMPARE(events[1].kind, EventKind::Error);
    const QString failure = session->events.string(events[1].text);
    QVERIFY2(failure.contains(address) && failure.contains(QLatin1StringView("timed out")),
             qPrintable(failure));
    // The attempt lasted until the timeout ended it.
    QVERIFY(events[1].tNs - events[0].tNs > 500'000'000);
}

// The same for a replay whose target never answers: exit 1 (a timeout, not a network failure)
// and the saved replay holds the attempt and its end, naming the address.
void TestCli::timedOutReplayConnectIsRecorded()
{
    FullBacklog full;
    QVERIFY(full.port() != 0);
    QTemporaryDir dir;
    const QString saved = dir.filePath(QStringLiteral("r.json"));
    const QString address = QStringLiteral("127.0.0.1:%1").arg(full.port());
    const Result r = runCli({QStringLiteral("replay"),
                             example("half-close-client.json"),
                             QStringLiteral("--target"),
                             address,
                             QStringLiteral("--timeout"),
                             QStringLiteral("1"),
                             QStringLiteral("--save"),
                             saved});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1StringView("timed out after 1 s")), qPrintable(r.err));
    QString error;
    const auto session = Session::load(saved, &error);
    QVERIFY2(session, qPrintable(error));
    const auto &events = session->events.events();
    QVERIFY(!events.empty());
    const Event &last = events.back();
    QCOMPARE(last.kind, EventKind::Error);
    const QString failure = session->events.string(last.text);
    QVERIFY2(failure.contains(QStringLiteral("connect to %1 abandoned").arg(address)),
             qPrintable(failure));
}

void TestCli::portInUseExits3()
{
    Listener holder;
    int err = 0;
    QString error;
    QVERIFY(holder.listenOn(QHostAddress::LocalHost, 0, &err, &error));
    const Result r = runCli(
        {QStringLiteral("server"), QString::number(holder.serverPort()), QStringLiteral("close")});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(QString::number(holder.serverPort())), qPrintable(r.err));
    QVERIFY2(r.err.contains(QLatin1StringView("in use")), qPrintable(r.err));
}

void TestCli::timeoutExits1()
{
    QProcess server;
    const quint16 port = startServer(&server,
                                     {QStringLiteral("0"),
                                      QStringLiteral("wait 5000"),
                                      QStringLiteral("close"),
                                      QStringLiteral("--timeout"),
                                      QStringLiteral("20")});
    QVERIFY(port != 0);
    const Result r = runCli({QStringLiteral("client"),
                             QStringLiteral("127.0.0.1:%1").arg(port),
                             QStringLiteral("read-until-eof"),
                             QStringLiteral("--timeout"),
                             QStringLiteral("1")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1StringView("timed out after 1 s")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QLatin1StringView("read-until-eof")), qPrintable(r.err));
    server.kill();
    server.waitForFinished();
}

// --timeout 0.5 was a usage error; on a coarse timer --timeout 30 fired at 29.78 s. The client's
// close is recorded when the timeout ends the run, on the clock that started before the timer.
void TestCli::timeoutTakesFractions()
{
    QTemporaryDir dir;
    QProcess server;
    const quint16 port = startServer(&server,
                                     {QStringLiteral("0"),
                                      QStringLiteral("wait 5000"),
                                      QStringLiteral("close"),
                                      QStringLiteral("--timeout"),
                                      QStringLiteral("20")});
    QVERIFY(port != 0);
    const QString saved = dir.filePath(QStringLiteral("c.json"));
    const Result r = runCli({QStringLiteral("client"),
                             QStringLiteral("127.0.0.1:%1").arg(port),
                             QStringLiteral("read-until-eof"),
                             QStringLiteral("--timeout"),
                             QStringLiteral("0.5"),
                             QStringLiteral("--save"),
                             saved});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1StringView("timed out after 0.5 s")), qPrintable(r.err));
    const auto session = Session::load(saved, nullptr);
    QVERIFY(session);
    qint64 closedNs = -1;
    for (qsizetype i = 0; i < session->events.size(); ++i) {
        if (session->events.at(i).kind == EventKind::Close)
            closedNs = session->events.at(i).tNs;
    }
    QVERIFY2(closedNs >= 500'000'000 && closedNs < 600'000'000,
             qPrintable(QString::number(double(closedNs) / 1e6)));
    server.kill();
    server.waitForFinished();
}

void TestCli::signalEndsTheRunAndSaves_data()
{
    QTest::addColumn<int>("signo");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("name");
    QTest::newRow("Ctrl-C") << int(SIGINT) << 130 << "SIGINT";
    QTest::newRow("kill") << int(SIGTERM) << 143 << "SIGTERM";
    QTest::newRow("terminal gone") << int(SIGHUP) << 129 << "SIGHUP";
}

// An echo server waiting for its second connection is stopped: it wrote nothing before. Now the
// first connection's bytes are saved, its open end is closed and recorded, and the exit code is
// the shell's 128 + the signal's number.
void TestCli::signalEndsTheRunAndSaves()
{
    QFETCH(int, signo);
    QFETCH(int, exitCode);
    QFETCH(QString, name);
    QTemporaryDir dir;
    const QString saved = dir.filePath(QStringLiteral("s.json"));
    QProcess server;
    const quint16 port = startServer(&server,
                                     {QStringLiteral("0"),
                                      QStringLiteral("echo"),
                                      QStringLiteral("--connections"),
                                      QStringLiteral("2"),
                                      QStringLiteral("--save"),
                                      saved});
    QVERIFY(port != 0);
    QTcpSocket peer;
    peer.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(peer.waitForConnected(5000));
    peer.write("hello");
    QTRY_COMPARE_WITH_TIMEOUT(peer.bytesAvailable(), 5, 5000);
    QVERIFY(::kill(pid_t(server.processId()), signo) == 0);
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), exitCode);
    const QString err = QString::fromUtf8(server.readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("stopped by %1").arg(name)), qPrintable(err));
    QVERIFY2(err.contains(saved), qPrintable(err));
    QCOMPARE(err.count(u'\n'), 1);
    QString error;
    const auto session = Session::load(saved, &error);
    QVERIFY2(session, qPrintable(error));
    const PayloadStream *got = session->events.payloadStream(Side::Server, 1, Direction::Received);
    QVERIFY(got);
    QCOMPARE(got->data, QByteArray("hello"));
    bool closed = false;
    for (qsizetype i = 0; i < session->events.size(); ++i)
        closed = closed || session->events.at(i).kind == EventKind::Close;
    QVERIFY(closed);
    // The connection was closed as the process ended it: the peer reads EOF.
    QTRY_VERIFY_WITH_TIMEOUT(peer.state() == QAbstractSocket::UnconnectedState, 5000);
}

// The server has closed first and waits (--settle) for its end to reach TIME_WAIT, which never
// comes while the peer holds its end open: a signal then ends the wait at once, with the signal's
// exit code, and the session is saved.
void TestCli::signalWhileSettlingEndsAtOnce()
{
    QTemporaryDir dir;
    const QString saved = dir.filePath(QStringLiteral("s.json"));
    QProcess server;
    const quint16 port = startServer(&server,
                                     {QStringLiteral("0"),
                                      QStringLiteral("close"),
                                      QStringLiteral("--settle"),
                                      QStringLiteral("20000"),
                                      QStringLiteral("--save"),
                                      saved});
    QVERIFY(port != 0);
    // A plain socket that never closes (a QTcpSocket would close on the server's FIN): the
    // server's end stays in FIN_WAIT2.
    const int peer = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(peer >= 0);
    sockaddr_in to = {};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QVERIFY(::connect(peer, reinterpret_cast<sockaddr *>(&to), sizeof to) == 0);
    QTest::qWait(500); // the server has closed and is settling
    QCOMPARE(server.state(), QProcess::Running);
    QElapsedTimer sinceSignal;
    sinceSignal.start();
    QVERIFY(::kill(pid_t(server.processId()), SIGINT) == 0);
    QVERIFY(server.waitForFinished(10000));
    QVERIFY2(sinceSignal.elapsed() < 5000, qPrintable(QString::number(sinceSignal.elapsed())));
    ::close(peer);
    QCOMPARE(server.exitCode(), 130);
    QString error;
    const auto session = Session::load(saved, &error);
    QVERIFY2(session, qPrintable(error));
}

// A connect that never gets an answer, ended by SIGTERM: the attempt's end is recorded with the
// address, and the exit code is the signal's.
void TestCli::signalDuringConnectRecordsItsEnd()
{
    FullBacklog full;
    QVERIFY(full.port() != 0);
    QTemporaryDir dir;
    const QString saved = dir.filePath(QStringLiteral("s.json"));
    const QString address = QStringLiteral("127.0.0.1:%1").arg(full.port());
    QProcess cli;
    cli.start(QStringLiteral(FINSCOPE_CLI),
              {QStringLiteral("client"),
               address,
               QStringLiteral("close"),
               QStringLiteral("--save"),
               saved});
    QVERIFY(cli.waitForStarted(5000));
    QTest::qWait(500);
    QCOMPARE(cli.state(), QProcess::Running);
    QVERIFY(::kill(pid_t(cli.processId()), SIGTERM) == 0);
    QVERIFY(cli.waitForFinished(10000));
    QCOMPARE(cli.exitCode(), 143);
    QString error;
    const auto session = Session::load(saved, &error);
    QVERIFY2(session, qPrintable(error));
    const auto &events = session->events.events();
    QVERIFY(!events.empty());
    QCOMPARE(events.back().kind, EventKind::Error);
    const QString text = session->events.string(events.back().text);
    QVERIFY2(
        text.contains(QStringLiteral("connect to %1 abandoned: stopped by SIGTERM").arg(address)),
        qPrintable(text));
}

// A scenario that hangs until its bound, stopped early: the steps so far are saved and judged.
void TestCli::interruptedScenarioSaves()
{
    QTemporaryDir dir;
    const QString saved = dir.filePath(QStringLiteral("hang.json"));
    QProcess cli;
    cli.start(QStringLiteral(FINSCOPE_CLI),
              {QStringLiteral("scenario"),
               QStringLiteral("run"),
               QStringLiteral("missing-shut-wr-hang"),
               QStringLiteral("--save"),
               saved});
    QTRY_VERIFY_WITH_TIMEOUT(cli.peek(1 << 16).contains("--- step"), 10000);
    QVERIFY(::kill(pid_t(cli.processId()), SIGTERM) == 0);
    QVERIFY(cli.waitForFinished(10000));
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 143);
    const QString err = QString::fromUtf8(cli.readAllStandardError());
    QVERIFY2(err.contains(QLatin1StringView("stopped by SIGTERM")), qPrintable(err));
    QString error;
    const auto session = Session::load(saved, &error);
    QVERIFY2(session, qPrintable(error));
    QVERIFY(!session->actions.isEmpty());
}

// `client ... --save p.json | head -1` exited 141 (SIGPIPE) and wrote nothing. The reader going
// away stops the printing only: the run goes on, saves, and exits as it decides.
void TestCli::closedStdoutStillSaves()
{
    QTemporaryDir dir;
    QProcess server;
    const quint16 port = startServer(&server,
                                     {QStringLiteral("0"),
                                      QStringLiteral("send first\\n"),
                                      QStringLiteral("wait 300"),
                                      QStringLiteral("send second\\n"),
                                      QStringLiteral("close")});
    QVERIFY(port != 0);
    const QString saved = dir.filePath(QStringLiteral("p.json"));
    QProcess shell;
    shell.start(QStringLiteral("bash"),
                {QStringLiteral("-c"),
                 QStringLiteral("\"$0\" client 127.0.0.1:%1 read-until-eof close --save \"$1\" "
                                "| head -1; exit ${PIPESTATUS[0]}")
                     .arg(port),
                 QStringLiteral(FINSCOPE_CLI),
                 saved});
    QVERIFY(shell.waitForFinished(20000));
    const QString out = QString::fromUtf8(shell.readAllStandardOutput());
    QVERIFY2(shell.exitCode() == 0,
             qPrintable(QString::number(shell.exitCode()) + shell.readAllStandardError()));
    QCOMPARE(out.count(u'\n'), 1);
    QVERIFY2(out.contains(QLatin1StringView("connect")), qPrintable(out));
    const auto session = Session::load(saved, nullptr);
    QVERIFY(session);
    const PayloadStream *got = session->events.payloadStream(Side::Client, 1, Direction::Received);
    QVERIFY(got);
    QCOMPARE(got->data, QByteArray("first\nsecond\n"));
    QVERIFY(server.waitForFinished(10000));
}

void TestCli::refusedBeforeConnecting_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString missing = QStringLiteral("/nonexistent-finscope/file");
    QTest::newRow("send-file missing")
        << QStringList{"send hi", "send-file " + missing, "close"} << "cannot open '" + missing;
    QTest::newRow("send-file a folder")
        << QStringList{"send-file /tmp", "close"} << "'/tmp' is not a regular file";
    QTest::newRow("--save into a missing folder")
        << QStringList{"close", "--save", missing} << "the folder '/nonexistent-finscope'";
    QTest::newRow("--save onto a folder") << QStringList{"close", "--save", "/tmp"} << "folder";
}

// Found only after the network run before (send-file connected, sent nothing, exited 0): now
// exit 3 with one sentence, and the server sees no connection at all.
void TestCli::refusedBeforeConnecting()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    const Result r = runCli(QStringList{QStringLiteral("client"),
                                        QStringLiteral("127.0.0.1:%1").arg(server.serverPort())}
                            + args);
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QCOMPARE(r.err.count(u'\n'), 1);
    QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
    QTest::qWait(200);
    QVERIFY(!server.hasPendingConnections());
    // A server is refused before it listens: no "listening on" line.
    const Result s = runCli(QStringList{QStringLiteral("server"), QStringLiteral("0")} + args);
    QCOMPARE(s.exitCode, 3);
    QVERIFY2(s.out.isEmpty(), qPrintable(s.out));
}

void TestCli::expectations_data()
{
    QTest::addColumn<QStringList>("serverEnds");
    QTest::addColumn<QStringList>("expectation");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("eof expected, eof came")
        << QStringList{"close"} << QStringList{"expect-eof"} << 0;
    QTest::newRow("rst expected, eof came")
        << QStringList{"close"} << QStringList{"expect-rst"} << 1;
    QTest::newRow("rst expected, rst came")
        << QStringList{"abort"} << QStringList{"expect-rst"} << 0;
    QTest::newRow("eof expected, rst came")
        << QStringList{"abort"} << QStringList{"expect-eof"} << 1;
    // The peer's FIN, then its RST while nothing was read: the rst is recorded when it arrives,
    // but a blocking read() still returns the bytes and then EOF (the kernel marked the stream
    // done), so expect-eof holds.
    QTest::newRow("eof expected, FIN then RST later")
        << QStringList{"send hello", "shutdown wr", "wait 100", "abort"}
        << QStringList{"wait 300", "expect-eof"} << 0;
    QTest::newRow("eof expected, FIN and RST together")
        << QStringList{"send hello", "shutdown wr", "abort"}
        << QStringList{"wait 300", "expect-eof"} << 0;
}

void TestCli::expectations()
{
    QFETCH(QStringList, serverEnds);
    QFETCH(QStringList, expectation);
    QFETCH(int, exitCode);
    QProcess server;
    const quint16 port = startServer(&server, QStringList{QStringLiteral("0")} + serverEnds);
    QVERIFY(port != 0);
    const Result r
        = runCli(QStringList{QStringLiteral("client"), QStringLiteral("127.0.0.1:%1").arg(port)}
                 + expectation + QStringList{QStringLiteral("close")});
    QVERIFY2(r.exitCode == exitCode, qPrintable(r.out + r.err));
    if (exitCode == 1)
        QVERIFY2(r.err.contains(QLatin1StringView("expectation failed")), qPrintable(r.err));
    QVERIFY(server.waitForFinished(10000));
}

void TestCli::echoServerAnswersEveryChunk()
{
    QTemporaryDir dir;
    QProcess server;
    const quint16 port = startServer(&server,
                                     {QStringLiteral("0"),
                                      QStringLiteral("echo-upper"),
                                      QStringLiteral("shutdown wr"),
                                      QStringLiteral("--connections"),
                                      QStringLiteral("2")});
    QVERIFY(port != 0);
    for (int i = 0; i < 2; ++i) {
        const QString saved = dir.filePath(QStringLiteral("c%1.json").arg(i));
        const Result r = runCli({QStringLiteral("client"),
                                 QStringLiteral("127.0.0.1:%1").arg(port),
                                 QStringLiteral("send hello"),
                                 QStringLiteral("send-pattern 1M"),
                                 QStringLiteral("shutdown wr"),
                                 QStringLiteral("read-until-eof"),
                                 QStringLiteral("--quiet"),
                                 QStringLiteral("--save"),
                                 saved});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto session = Session::load(saved, nullptr);
        QVERIFY(session);
        const PayloadStream *got
            = session->events.payloadStream(Side::Client, 1, Direction::Received);
        const PayloadStream *sent = session->events.payloadStream(Side::Client, 1, Direction::Sent);
        QVERIFY(got && sent);
        QCOMPARE(got->total, 5 + 1024 * 1024);
        QCOMPARE(got->data, sent->data.toUpper());
    }
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);
    const QString out = QString::fromUtf8(server.readAllStandardOutput());
    QVERIFY(out.contains(QLatin1StringView("server 2")));
}

void TestCli::showRefusesBadFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"format\": \"finscope-session\", \"version\": 1, \"events\": [");
    f.close();
    Result r = runCli({QStringLiteral("show"), path});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(path), qPrintable(r.err));
    r = runCli({QStringLiteral("show"), dir.filePath(QStringLiteral("missing.json"))});
    QCOMPARE(r.exitCode, 3);
    QVERIFY(r.err.contains(QLatin1StringView("missing.json")));
}

// Loading once reserved 2 GiB whatever the file's size: under an address-space limit (ulimit -v,
// strict overcommit, a memory-capped container) a 2 KB file aborted with bad_alloc.
void TestCli::showUnderAnAddressSpaceLimit()
{
    const QString prlimit = QStandardPaths::findExecutable(QStringLiteral("prlimit"));
    if (prlimit.isEmpty())
        QSKIP("prlimit (util-linux) is not installed");
    QProcess p;
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start(prlimit,
            {QStringLiteral("--as=1000000000"),
             QStringLiteral(FINSCOPE_CLI),
             QStringLiteral("show"),
             example("half-close-client.json")});
    QVERIFY(p.waitForFinished(30000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 0, qPrintable(err));
    QVERIFY(p.readAllStandardOutput().contains("shutdown"));
}

// Byte counts each within range (2^53) whose sum is not: the comparison's total saturates, where
// it once printed -8538824893494460416 bytes.
void TestCli::diffOfHugeByteCountsSaturates()
{
    QTemporaryDir dir;
    const auto write = [&](const QString &name, int sends) {
        QByteArray json = "{\"format\": \"finscope-session\", \"version\": 1, "
                          "\"wall_clock_start\": \"2026-01-01T00:00:00.000Z\", "
                          "\"endpoints\": [], \"actions\": [], \"events\": [";
        for (int i = 0; i < sends; ++i) {
            json += QByteArray(i ? ", " : "") + "{\"t_ns\": " + QByteArray::number(i)
                    + ", \"side\": \"client\", \"conn\": 1, \"kind\": \"send\", "
                      "\"bytes\": 9007199254740992, \"offset\": 0}";
        }
        json += "]}";
        const QString path = dir.filePath(name);
        QFile f(path);
        return f.open(QIODevice::WriteOnly) && f.write(json) == json.size() ? path : QString();
    };
    const QString many = write(QStringLiteral("many.json"), 2000);
    const QString one = write(QStringLiteral("one.json"), 1);
    QVERIFY(!many.isEmpty() && !one.isEmpty());
    const Result r = runCli({QStringLiteral("diff"), many, one});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains(QLatin1StringView("9223372036854775807 bytes")), qPrintable(r.out));
    QVERIFY2(!r.out.contains(QLatin1StringView("sent: -")), qPrintable(r.out));
}

namespace {

// Title, clipboard (OSC 52), screen-clearing and cursor sequences, a carriage return, DEL, a C1
// CSI, a bidi override, a line separator and a newline that would start a forged line.
QString hostileText()
{
    return QStringLiteral("\x1b]0;owned\x07\x1b]52;c;aGk=\x07\x1b[2J\r\t\x7f") + QChar(0x9b)
           + QStringLiteral("31m") + QChar(0x202e) + QChar(0x2028) + QStringLiteral("\nforged");
}

// The first character in `text` that could drive a terminal, as "U+001B", or an empty string.
QString terminalControl(const QString &text)
{
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if ((u < 0x20 && u != u'\n') || (u >= 0x7f && u <= 0x9f) || (u >= 0x2028 && u <= 0x202e)
            || (u >= 0x2066 && u <= 0x2069) || u == QChar::ReplacementCharacter)
            return QStringLiteral("U+%1").arg(uint(u), 4, 16, QChar(u'0'));
    }
    return QString();
}

// The example with the hostile text as its tool, every address and target, every event's text
// and a send-file path; with `refused`, also an action the loader refuses, whose error quotes it.
QByteArray hostileSession(bool refused)
{
    QFile file(example("both-ends-half-close.json"));
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    QJsonObject session = QJsonDocument::fromJson(file.readAll()).object();
    const QString hostile = hostileText();
    session[QLatin1StringView("tool")] = hostile;
    QJsonArray endpoints = session[QLatin1StringView("endpoints")].toArray();
    for (QJsonValueRef value : endpoints) {
        QJsonObject endpoint = value.toObject();
        for (const char *key : {"local", "peer", "target"})
            endpoint[QLatin1StringView(key)] = hostile;
        value = endpoint;
    }
    session[QLatin1StringView("endpoints")] = endpoints;
    QJsonArray events = session[QLatin1StringView("events")].toArray();
    for (QJsonValueRef value : events) {
        QJsonObject event = value.toObject();
        event[QLatin1StringView("text")] = hostile;
        value = event;
    }
    session[QLatin1StringView("events")] = events;
    QJsonArray actions = session[QLatin1StringView("actions")].toArray();
    QJsonObject sendFile = actions.first().toObject();
    QString path = hostile;
    sendFile[QLatin1StringView("action")] = QStringLiteral("send-file /tmp/") + path.remove(u'\n');
    actions.insert(1, sendFile);
    if (refused) {
        QJsonObject bad = actions.first().toObject();
        bad[QLatin1StringView("action")] = QStringLiteral("wait ") + hostile;
        actions.append(bad);
    }
    session[QLatin1StringView("actions")] = actions;
    return QJsonDocument(session).toJson();
}

} // namespace

// Every command that prints what a crafted session holds, on stdout and stderr: no control
// character reaches the terminal, and the escaped form is visible instead.
void TestCli::fileTextReachesTheTerminalEscaped()
{
    QTemporaryDir dir;
    const QString hostile = dir.filePath(QStringLiteral("hostile.json"));
    const QString refused = dir.filePath(QStringLiteral("refused.json"));
    for (const auto &[path, bad] : {std::pair{hostile, false}, std::pair{refused, true}}) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(hostileSession(bad));
    }
    const QString text = QStringLiteral("text");
    const QString to = QStringLiteral("--to");
    const QString dash = QStringLiteral("-");
    const QList<QStringList> commands = {
        {QStringLiteral("show"), hostile},
        {QStringLiteral("export"), hostile, to, text, dash},
        {QStringLiteral("export"), hostile, to, QStringLiteral("python"), dash},
        {QStringLiteral("diff"), hostile, example("both-ends-half-close.json")},
        {QStringLiteral("diff"), hostile, example("half-close-client.json")},
        {QStringLiteral("replay"), hostile, QStringLiteral("--timeout"), QStringLiteral("5")},
        {QStringLiteral("show"), refused},
        {QStringLiteral("export"), refused, to, text, dash},
        {QStringLiteral("diff"), refused, hostile},
        {QStringLiteral("replay"), refused},
    };
    for (const QStringList &args : commands) {
        const Result r = runCli(args);
        const QString what = args.join(u' ');
        QVERIFY2(r.exitCode >= 0, qPrintable(what + QStringLiteral(": ") + r.err));
        const QString out = terminalControl(r.out);
        const QString err = terminalControl(r.err);
        QVERIFY2(out.isEmpty(), qPrintable(QStringLiteral("%1: %2 on stdout").arg(what, out)));
        QVERIFY2(err.isEmpty(), qPrintable(QStringLiteral("%1: %2 on stderr").arg(what, err)));
    }
    // What the file said is shown, escaped, on the line it belongs to.
    Result r = runCli({QStringLiteral("show"), hostile});
    QCOMPARE(r.exitCode, 0);
    const QString first = r.out.section(u'\n', 0, 0);
    QVERIFY2(first.startsWith(QLatin1StringView("session recorded by \\x1b]0;owned\\x07")),
             qPrintable(first));
    QVERIFY2(first.contains(QLatin1StringView("\\u202e\\u2028\\nforged")), qPrintable(first));
    QVERIFY(!r.out.contains(QLatin1StringView("\nforged")));
    r = runCli({QStringLiteral("show"), refused});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(QLatin1StringView("wait '\\x1b]0;owned")), qPrintable(r.err));
}

// A file named like Q&A<"x>.json, with a control character too: the SVG's <title> holds the name
// escaped, and the whole SVG parses as XML.
void TestCli::exportSvgEscapesTheTitle()
{
    QTemporaryDir dir;
    const QString name = QStringLiteral("Q&A <\"x'>\x1b]0;t\x07.json");
    const QString path = dir.filePath(name);
    QVERIFY(QFile::copy(example("both-ends-half-close.json"), path));
    const QString svg = dir.filePath(QStringLiteral("timeline.svg"));
    const Result r = runExport({path, QStringLiteral("--to"), QStringLiteral("svg"), svg});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(file.readAll());
    QString title;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1StringView("title"))
            title = xml.readElementText();
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(title, QStringLiteral("Q&A <\"x'>\\x1b]0;t\\x07.json — FinScope"));
}

void TestCli::exportSvgDrawsTheTimeline()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString svg = dir.filePath(QStringLiteral("timeline.svg"));
    const Result r = runExport(
        {example("both-ends-half-close.json"), QStringLiteral("--to"), QStringLiteral("svg"), svg});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();

    // Well-formed XML with an <svg> element, holding the text the timeline draws: both lanes,
    // the FINs and the half-close's states.
    const auto readSvg = [](const QByteArray &data, QString *text, QString *error) {
        bool svgElement = false;
        QXmlStreamReader xml(data);
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == QLatin1StringView("svg"))
                svgElement = true;
            else if (xml.isCharacters())
                text->append(xml.text());
        }
        *error = xml.hasError() ? xml.errorString() : QString();
        return svgElement;
    };
    QString text;
    QString error;
    QVERIFY(readSvg(bytes, &text, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (const char *drawn :
         {"client 1", "server 1", "FIN (SHUT_WR)", "FIN_WAIT2", "CLOSE_WAIT", "time"})
        QVERIFY2(text.contains(QLatin1StringView(drawn)), drawn);
    QVERIFY(text.contains(QLatin1StringView("both-ends-half-close.json")));

    // To standard output, the same drawing.
    const Result toStdout = runExport(
        {example("both-ends-half-close.json"), QStringLiteral("--to"), QStringLiteral("svg"), "-"});
    QVERIFY2(toStdout.exitCode == 0, qPrintable(toStdout.err));
    text.clear();
    QVERIFY(readSvg(toStdout.rawOut, &text, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(text.contains(QLatin1StringView("server 1")));
}

void TestCli::exportPng()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString session = example("both-ends-half-close.json");
    const QString png = dir.filePath(QStringLiteral("timeline.png"));
    Result r = runExport({session, QStringLiteral("--to"), QStringLiteral("png"), png});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.width(), 1600);
    QVERIFY(image.height() > 0);
    QVERIFY(hasMoreThanOneColour(image));

    const QString narrow = dir.filePath(QStringLiteral("narrow.png"));
    r = runExport(
        {session, QStringLiteral("--to"), QStringLiteral("png"), narrow, "--width", "800"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    image = QImage(narrow);
    QCOMPARE(image.width(), 800);
    QVERIFY(hasMoreThanOneColour(image));

    // OUT - writes the PNG's bytes to standard output, unchanged.
    r = runExport({session, QStringLiteral("--to=png"), QStringLiteral("-"), "--width=400"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.rawOut.startsWith("\x89PNG\r\n\x1a\n"));
    image = QImage::fromData(r.rawOut, "png");
    QVERIFY(!image.isNull());
    QCOMPARE(image.width(), 400);

    // A file that cannot be written is named, exit 3.
    const QString unwritable = dir.filePath(QStringLiteral("no-such-dir/timeline.png"));
    r = runExport({session, QStringLiteral("--to"), QStringLiteral("png"), unwritable});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(unwritable), qPrintable(r.err));
}

void TestCli::exportPictureOfBadFileWritesNothing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString bad = dir.filePath(QStringLiteral("bad.json"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"format\": \"finscope-session\", \"version\": 1, \"events\": [");
    f.close();
    for (const QString &format : {QStringLiteral("svg"), QStringLiteral("png")}) {
        const QString out = dir.filePath(QStringLiteral("timeline.") + format);
        const Result r = runExport({bad, QStringLiteral("--to"), format, out});
        QCOMPARE(r.exitCode, 3);
        // One sentence, finscope-cli's: the offscreen platform's start-up notices (such as
        // XDG_RUNTIME_DIR not being set) are not passed on.
        const QStringList lines = r.err.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.first().startsWith(QLatin1StringView("finscope-cli: ")), qPrintable(r.err));
        QVERIFY2(lines.first().contains(bad), qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
    }
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("bad.json")});
}

// A platform chosen for other programs (xcb, with no display to reach) must not abort a
// picture export: nothing is shown, the offscreen platform draws it.
void TestCli::exportPictureWhateverPlatformIsSet()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath(QStringLiteral("t.svg"));
    QProcessEnvironment env = headlessEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    const Result r = runCli({QStringLiteral("export"),
                             QStringLiteral(FINSCOPE_EXAMPLES "/both-ends-half-close.json"),
                             QStringLiteral("--to"),
                             QStringLiteral("svg"),
                             out},
                            30000,
                            env);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.err.isEmpty());
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("<svg"));
}

// OUT a named pipe: written through, not replaced by a regular file (as an atomic rename would).
void TestCli::exportIntoAPipeKeepsThePipe()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString fifo = dir.filePath(QStringLiteral("pipe"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    QProcess reader;
    reader.start(QStringLiteral("cat"), {fifo});
    QVERIFY(reader.waitForStarted());
    const Result r = runExport({QStringLiteral(FINSCOPE_EXAMPLES "/both-ends-half-close.json"),
                                QStringLiteral("--to"),
                                QStringLiteral("svg"),
                                fifo});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(reader.waitForFinished(10000));
    const QByteArray read = reader.readAllStandardOutput();
    QVERIFY2(read.startsWith("<?xml"), read.left(80).constData());
    QVERIFY(read.contains("</svg>"));
    struct stat st = {};
    QCOMPARE(::stat(QFile::encodeName(fifo).constData(), &st), 0);
    QVERIFY(S_ISFIFO(st.st_mode));
}

void TestCli::againstPythonSocketServer()
{
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (python.isEmpty())
        QSKIP("python3 is not installed");
    // A plain socket program: read to EOF, answer, half-close, then wait for our FIN.
    const QString script = QStringLiteral(
        "import socket, sys\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)\n"
        "print(s.getsockname()[1], flush=True)\n"
        "c, _ = s.accept(); data = b''\n"
        "while True:\n"
        "    b = c.recv(4096)\n"
        "    if not b: break\n"
        "    data += b\n"
        "c.sendall(b'got ' + str(len(data)).encode()); c.shutdown(socket.SHUT_WR)\n"
        "print('eof-after', len(data), 'then', c.recv(10), flush=True)\n");
    QProcess py;
    py.start(python, {QStringLiteral("-c"), script});
    QVERIFY(py.waitForReadyRead(10000));
    const quint16 port = quint16(py.readLine().trimmed().toUInt());
    QVERIFY(port != 0);
    const Result r = runCli({QStringLiteral("client"),
                             QStringLiteral("127.0.0.1:%1").arg(port),
                             QStringLiteral("send-pattern 100K"),
                             QStringLiteral("shutdown wr"),
                             QStringLiteral("read-until-eof"),
                             QStringLiteral("expect-eof"),
                             QStringLiteral("close")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QLatin1StringView("got 102400")), qPrintable(r.out));
    QVERIFY(py.waitForFinished(10000));
    QCOMPARE(QString::fromUtf8(py.readAll()).trimmed(),
             QStringLiteral("eof-after 102400 then b''"));
}

void TestCli::againstSocat()
{
    const QString socat = QStandardPaths::findExecutable(QStringLiteral("socat"));
    if (socat.isEmpty())
        QSKIP("socat is not installed");
    // socat as the client: it sends its stdin, half-closes, and prints what comes back.
    QProcess server;
    const quint16 port = startServer(&server,
                                     {QStringLiteral("0"),
                                      QStringLiteral("read-until-eof"),
                                      QStringLiteral("send reply after your FIN\\n"),
                                      QStringLiteral("shutdown wr"),
                                      QStringLiteral("close")});
    QVERIFY(port != 0);
    QProcess peer;
    peer.start(
        socat,
        {QStringLiteral("-t5"), QStringLiteral("-"), QStringLiteral("TCP:127.0.0.1:%1").arg(port)});
    QVERIFY(peer.waitForStarted());
    peer.write("request from socat\n");
    peer.closeWriteChannel();
    QVERIFY(peer.waitForFinished(10000));
    QCOMPARE(peer.readAllStandardOutput(), QByteArray("reply after your FIN\n"));
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);
    const QString out = QString::fromUtf8(server.readAllStandardOutput());
    QVERIFY(out.contains(QLatin1StringView("request from socat")));
    QVERIFY(out.contains(QLatin1StringView(" eof")));
}

void TestCli::scenarioListListsEveryId()
{
    const Result r = runCli({QStringLiteral("scenario"), QStringLiteral("list")});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    const QList<Scenario> all = ScenarioCatalog::all();
    QCOMPARE(lines.size(), all.size());
    for (qsizetype i = 0; i < all.size(); ++i) {
        // The id, then the title.
        const QStringList words = lines.at(i).split(u' ', Qt::SkipEmptyParts);
        QCOMPARE(words.first(), all.at(i).id);
        QVERIFY2(lines.at(i).endsWith(all.at(i).title), qPrintable(lines.at(i)));
    }
}

void TestCli::scenarioRunHalfClose()
{
    QTemporaryDir dir;
    const QString saved = dir.filePath(QStringLiteral("scenario.json"));
    const Result r = runCli({QStringLiteral("scenario"),
                             QStringLiteral("run"),
                             QStringLiteral("half-close-request-response"),
                             QStringLiteral("--save"),
                             saved});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    // The explanation, the steps and events as they happen, then one verdict per fact.
    QVERIFY(r.out.contains(QLatin1StringView("shutdown(SHUT_WR)")));
    QVERIFY(r.out.contains(QLatin1StringView("--- step 2/8  client  shutdown wr")));
    QVERIFY2(r.out.contains(QLatin1StringView("client 1  state    FIN_WAIT2")), qPrintable(r.out));
    QVERIFY(r.out.contains(QLatin1StringView("server 1  eof")));
    const auto scenario = ScenarioCatalog::find(QStringLiteral("half-close-request-response"));
    QVERIFY(scenario);
    for (const ScenarioFact &fact : scenario->facts)
        QVERIFY2(r.out.contains(QStringLiteral("ok   ") + fact.sentence), qPrintable(r.out));
    QVERIFY(!r.out.contains(QLatin1StringView("FAIL")));
    const auto session = Session::load(saved, nullptr);
    QVERIFY(session);
    QCOMPARE(session->actions.size(), 8);
    QCOMPARE(session->endpoints.size(), 2);
}

void TestCli::scenarioHangEndsByItsBound()
{
    QElapsedTimer took;
    took.start();
    const Result r = runCli({QStringLiteral("scenario"),
                             QStringLiteral("run"),
                             QStringLiteral("missing-shut-wr-hang"),
                             QStringLiteral("--timeout"),
                             QStringLiteral("1"),
                             QStringLiteral("--quiet")});
    // The hang is what the scenario shows, so its facts hold when the bound ends it.
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QLatin1StringView("end: ended by the 1 s time bound; still waiting")),
             qPrintable(r.out));
    QVERIFY(took.elapsed() < 10000);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
