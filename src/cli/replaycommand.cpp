#include "replaycommand.h"

#include "clicommand.h"
#include "commandparser.h"
#include "compareoptions.h"
#include "engine/core/terminaltext.h"
#include "engine/run/actionrunner.h"
#include "engine/session/eventformat.h"

#include <QCoreApplication>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <unistd.h>

namespace finscope {

std::optional<ReplayOptions>
ReplayOptions::parse(CommandParser &parser, const QStringList &args, QString *error)
{
    const QCommandLineOption side(QStringLiteral("side"),
                                  QStringLiteral("Which recorded ends run again: both in this "
                                                 "process on a fresh loopback port (the default "
                                                 "when both were recorded), the client against "
                                                 "a live server, or the server for a live "
                                                 "client."),
                                  QStringLiteral("both|client|server"));
    const QCommandLineOption target(QStringLiteral("target"),
                                    QStringLiteral("The live server a client replay connects to "
                                                   "(default: the recorded target)."),
                                    QStringLiteral("HOST:PORT"));
    const QCommandLineOption listen(QStringLiteral("listen"),
                                    QStringLiteral("Where a server replay listens (default "
                                                   "127.0.0.1:0)."),
                                    QStringLiteral("[ADDR:]PORT"));
    const QCommandLineOption v6only(QStringLiteral("v6only"),
                                    QStringLiteral("Listening on :: takes IPv6 clients only "
                                                   "(without it :: takes IPv4 clients too)."));
    const QCommandLineOption speed(QStringLiteral("speed"),
                                   QStringLiteral("Scales the recorded gaps between actions: 2 "
                                                  "halves them; 0 or max keeps only the waiting "
                                                  "the actions do themselves."),
                                   QStringLiteral("X|max"));
    const QCommandLineOption step(QStringLiteral("step"),
                                  QStringLiteral("Prints each action and runs it on Enter."));
    const QCommandLineOption allowFiles(
        QStringLiteral("allow-files"),
        QStringLiteral("A recorded send-file reads the file it names on this machine (default: "
                       "it sends the bytes the recording holds, and no file is opened)."));
    const QCommandLineOption save(QStringLiteral("save"),
                                  QStringLiteral("Saves the replay's session to OUT."),
                                  QStringLiteral("OUT"));
    parser.setCommand(QStringLiteral("replay"),
                      QStringLiteral("Runs a saved session again and compares it with the "
                                     "recording."));
    parser.setDescription(QStringLiteral("Exit 0 equivalent; 1 a difference, a failed expect-* "
                                         "or the timeout;\n2 usage, or a recorded target that is "
                                         "not this machine without --target;\n3 a file that "
                                         "cannot be read, or a network failure."));
    parser.addArgument(
        QStringLiteral("FILE"), QStringLiteral("The recorded session."), QStringLiteral("FILE"));
    const QCommandLineOption &settle = settleOption();
    for (const QCommandLineOption &option : {side, target, listen, speed, step, save, settle})
        parser.addOption(option);
    parser.addOption(v6only);
    parser.addOption(allowFiles);
    const CompareOptions compare;
    compare.addTo(parser);
    parser.addTimeout(QStringLiteral("Bounds the whole replay (default 30 s; fractions such as 0.5 "
                                     "too)."));
    if (!parser.parse(args, error))
        return std::nullopt;

    ReplayOptions options;
    if (const auto how = compare.read(parser, error))
        options.compare = *how;
    else
        return std::nullopt;
    const QStringList positional = parser.positionalArguments();
    options.step = parser.isSet(step);
    options.allowFiles = parser.isSet(allowFiles);
    options.savePath = parser.value(save);
    if (parser.isSet(settle)) {
        const auto ms = parser.intValue(settle, 0, 600'000, error);
        if (!ms)
            return std::nullopt;
        options.settleMs = *ms;
    }
    if (parser.isSet(side)) {
        const QString value = parser.value(side);
        if (value == QLatin1StringView("both"))
            options.mode = Replayer::Mode::Both;
        else if (value == QLatin1StringView("client"))
            options.mode = Replayer::Mode::Client;
        else if (value == QLatin1StringView("server"))
            options.mode = Replayer::Mode::Server;
        else {
            *error = QStringLiteral("--side: expected both, client or server, got '%1'").arg(value);
            return std::nullopt;
        }
    }
    if (parser.isSet(target)) {
        options.target = HostPort::parse(parser.value(target), false, error);
        if (!options.target)
            return std::nullopt;
    }
    options.v6only = parser.isSet(v6only);
    if (parser.isSet(listen)) {
        options.listen = HostPort::parse(parser.value(listen), true, error);
        if (!options.listen)
            return std::nullopt;
        if (!HostPort::listenAddress(options.listen->host, error, options.v6only)) {
            *error = QStringLiteral("--listen: ") + *error;
            return std::nullopt;
        }
    }
    if (parser.isSet(speed)) {
        const QString value = parser.value(speed);
        bool ok = false;
        const double factor = value == QLatin1StringView("max") ? 0 : value.toDouble(&ok);
        if (value != QLatin1StringView("max")
            && (!ok || !std::isfinite(factor) || factor < 0 || factor > 1e6)) {
            *error = QStringLiteral("--speed: expected a factor such as 2 or 0.5, or 0 or max for "
                                    "no waiting, got '%1'")
                         .arg(value);
            return std::nullopt;
        }
        options.speed = factor;
    }
    if (parser.timeoutGiven()) {
        const auto ms = parser.timeoutMs(error);
        if (!ms)
            return std::nullopt;
        options.timeoutMs = *ms;
    }
    if (positional.size() != 1) {
        *error = positional.isEmpty() ? QStringLiteral("replay needs a FILE")
                                      : QStringLiteral("replay takes one FILE");
        return std::nullopt;
    }
    options.file = positional.first();
    // A target only makes sense for a client talking to a live server.
    if (options.target && options.mode == Replayer::Mode::Auto)
        options.mode = Replayer::Mode::Client;
    if (options.target && options.mode != Replayer::Mode::Client) {
        *error = QStringLiteral("--target is for --side client");
        return std::nullopt;
    }
    if (options.listen && options.mode == Replayer::Mode::Client) {
        *error = QStringLiteral("--listen is for --side server or both");
        return std::nullopt;
    }
    if (options.v6only && options.mode == Replayer::Mode::Client) {
        *error = QStringLiteral("--v6only is for --side server or both");
        return std::nullopt;
    }
    return options;
}

ReplayCommand::ReplayCommand(QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent)
    , m_out(out)
    , m_err(err)
{
    m_timeout.setSingleShot(true);
    m_timeout.setTimerType(Qt::PreciseTimer);
    connect(&m_timeout, &QTimer::timeout, this, &ReplayCommand::handleTimeout);
}

ReplayCommand::~ReplayCommand() = default;

std::optional<int> ReplayCommand::start(const ReplayOptions &options)
{
    m_options = options;
    // Loading and planning a large session take time too: the bound is on the whole command.
    m_clock.start();
    QString error;
    m_recording = Session::load(options.file, &error);
    if (!m_recording) {
        printError(error);
        return ExitInvalid;
    }
    m_replayer = std::make_unique<Replayer>(*m_recording);
    m_replayer->workbench()->recorder()->setTool(
        QStringLiteral("finscope-cli %1 replay").arg(QCoreApplication::applicationVersion()));
    m_replayer->setMode(options.mode);
    m_replayer->setSpeed(options.speed);
    m_replayer->setStepping(options.step);
    m_replayer->setAllowFiles(options.allowFiles);
    if (options.target)
        m_replayer->setTarget(options.target->host, options.target->port);
    if (options.listen || options.v6only) {
        const HostPort where = options.listen.value_or(HostPort{});
        if (const auto address = HostPort::listenAddress(where.host, &error, options.v6only))
            m_replayer->setListenAddress(*address, where.port);
    }
    if (!m_replayer->prepare(&error)) {
        printError(QStringLiteral("cannot replay '%1': %2").arg(options.file, error));
        return ExitInvalid;
    }
    // Where a session someone sent goes is the user's choice: a recorded name is not even
    // looked up (a lookup tells a name server the file's choice) until --target says where.
    if (!m_replayer->remoteTargets().isEmpty()) {
        printError(
            QStringLiteral("cannot replay '%1': %2; give --target HOST:PORT to say where "
                           "to connect (nothing was looked up or connected)")
                .arg(options.file, TerminalText::escaped(m_replayer->remoteTargetRefusal())));
        return ExitUsage;
    }
    printTarget();
    printFiles();
    connect(m_replayer->workbench()->recorder(),
            &Recorder::eventAdded,
            this,
            &ReplayCommand::printEvent);
    connect(m_replayer.get(), &Replayer::finished, this, &ReplayCommand::handleFinished);
    if (options.step) {
        connect(m_replayer.get(), &Replayer::actionPending, this, &ReplayCommand::handlePending);
        m_stdinNotifier = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
        connect(m_stdinNotifier, &QSocketNotifier::activated, this, &ReplayCommand::handleStdin);
    }
    const qint64 leftMs = std::max<qint64>(0, options.timeoutMs - m_clock.elapsed());
    m_timeout.start(std::chrono::milliseconds(leftMs));
    // Planning took the whole bound: the timeout ends the command before anything connects.
    if (leftMs > 0) {
        m_started = true;
        m_replayer->start();
    }
    return std::nullopt;
}

// Every file the session names is said before anything runs, with what is sent for it.
void ReplayCommand::printFiles()
{
    for (const Replayer::FileSend &f : m_replayer->fileSends()) {
        m_out << sideName(f.side) << " " << f.conn << " send-file " << TerminalText::escaped(f.path)
              << ": ";
        if (m_replayer->allowFiles()) {
            m_out << "reads the file on this machine (--allow-files)" << Qt::endl;
            continue;
        }
        if (f.recordedBytes == 0)
            m_out << "the recording holds no bytes for it; sends nothing";
        else if (f.keptBytes < f.recordedBytes)
            m_out << "the recording sent " << f.recordedBytes << " bytes and kept " << f.keptBytes
                  << "; sends those " << f.keptBytes;
        else
            m_out << "sends the " << f.keptBytes << " bytes the recording holds";
        m_out << ", not the file (--allow-files reads it)" << Qt::endl;
    }
}

// Said before anything connects, so a person knows which peer the replay is about to talk to.
void ReplayCommand::printTarget()
{
    QStringList clients;
    QStringList servers;
    for (const auto &[side, conn] : m_replayer->replayedEnds())
        (side == Side::Client ? clients : servers)
            << QStringLiteral("%1 %2").arg(sideName(side)).arg(conn);
    switch (m_replayer->mode()) {
    case Replayer::Mode::Client:
        for (qsizetype i = 0; i < clients.size(); ++i)
            m_out << "replaying " << clients.at(i) << " against "
                  << TerminalText::escaped(m_replayer->target(quint32(i + 1))) << Qt::endl;
        break;
    case Replayer::Mode::Server:
        m_out << "replaying " << servers.join(QStringLiteral(", ")) << ", listening on "
              << m_replayer->listenAddress() << Qt::endl;
        break;
    default:
        m_out << "replaying " << (clients + servers).join(QStringLiteral(", "))
              << " in this process on " << m_replayer->listenAddress() << Qt::endl;
        break;
    }
}

void ReplayCommand::printEvent(qsizetype index)
{
    const EventStore &store = m_replayer->session().events;
    m_out << formatEvent(store.at(index), store) << Qt::endl;
}

void ReplayCommand::handlePending(Side side, quint32 conn, const QString &action)
{
    m_out << "next: " << sideName(side) << " " << conn << " " << TerminalText::escaped(action)
          << "  (Enter runs it)" << Qt::endl;
}

// Each newline is one Enter. Read a bounded block at a time and never gathered into lines: a
// standard input that never sends a newline (</dev/zero) costs no memory, and the event loop, and
// with it --timeout, runs between blocks.
void ReplayCommand::handleStdin()
{
    char block[4096];
    const ssize_t n = ::read(STDIN_FILENO, block, sizeof block);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        // No one is left to press Enter: run the rest without stopping.
        delete m_stdinNotifier;
        m_replayer->stopStepping();
        return;
    }
    for (ssize_t i = 0; i < n; ++i) {
        if (block[i] == '\n')
            m_replayer->next();
    }
}

void ReplayCommand::handleFinished(bool ok)
{
    if (m_timedOut)
        return; // an abandoned connect's failure: handleTimeout said why and ends with exit 1
    if (!ok) {
        printError(m_replayer->errorString());
        finish(ExitInvalid);
        return;
    }
    for (const QString &failure : m_replayer->failures())
        printError(QStringLiteral("expectation failed: %1").arg(failure));
    const int exitCode = m_replayer->failures().isEmpty() ? ExitOk : ExitFailed;
    // As client and server do: the first closer's TIME_WAIT goes into the replay's record too,
    // within what is left of --timeout.
    const qint64 left = m_options.timeoutMs - m_clock.elapsed();
    connect(&m_settler, &Settler::done, this, [this, exitCode] { finish(exitCode); });
    m_settler.settle(
        m_replayer->endpoints(),
        int(std::clamp<qint64>(std::min<qint64>(m_options.settleMs, left), 0, 600'000)));
}

void ReplayCommand::handleTimeout()
{
    if (m_settler.isWaiting()) {
        m_settler.abandon(); // the replay ran to its end; done() finishes it
        return;
    }
    const QString what
        = m_started ? m_replayer->waitingFor()
                    : QStringLiteral("loading and planning the replay took %1, and nothing ran")
                          .arg(CommandParser::seconds(m_clock.elapsed()));
    const QString timedOut
        = QStringLiteral("timed out after %1").arg(CommandParser::seconds(m_options.timeoutMs));
    printError(timedOut + (what.isEmpty() ? QString() : QStringLiteral(": ") + what));
    m_timedOut = true;
    m_replayer->closeAll(timedOut); // a connect still under way is recorded as abandoned
    finish(ExitFailed);
}

void ReplayCommand::interrupt(int exitCode)
{
    if (m_finished)
        return;
    m_interruptCode = exitCode;
    if (m_settler.isWaiting()) {
        m_settler.abandon(); // settling after the last action: done() finishes with the code
        return;
    }
    m_replayer->halt(); // closes every open end; finished() follows at once
    finish(exitCode);
}

void ReplayCommand::finish(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_interruptCode)
        exitCode = m_interruptCode;
    m_timeout.stop();
    delete m_stdinNotifier;
    if (!m_options.savePath.isEmpty()) {
        QString error;
        if (!m_replayer->session().save(m_options.savePath, &error)) {
            printError(error);
            if (exitCode == ExitOk)
                exitCode = ExitInvalid;
        }
    }
    // A replay cut short at the timeout says so and what never ran: a verdict on the part that
    // never ran would be no verdict at all.
    if (m_timedOut && !m_interruptCode) {
        const QStringList notRun = m_replayer->notStarted();
        m_out << "cut short at the timeout: not compared with the recording" << Qt::endl;
        if (!notRun.isEmpty()) {
            // Enough to see where it stood; a session of 50,000 connections has 250,000 actions.
            constexpr qsizetype Listed = 20;
            m_out << "did not run:" << Qt::endl;
            for (qsizetype i = 0; i < std::min(Listed, notRun.size()); ++i)
                m_out << "  " << TerminalText::escaped(notRun.at(i)) << Qt::endl;
            if (notRun.size() > Listed)
                m_out << "  ... and " << notRun.size() - Listed << " more" << Qt::endl;
        }
    }
    // An interrupted replay is cut short: comparing it would only list what it did not reach.
    if (exitCode != ExitInvalid && !m_interruptCode && !m_timedOut) {
        const SessionComparison comparison(*m_recording,
                                           m_replayer->session(),
                                           QStringLiteral("recording"),
                                           QStringLiteral("replay"),
                                           m_replayer->replayedSide(),
                                           m_options.compare);
        if (comparison.equivalent()) {
            m_out << QStringLiteral("equivalent to the recording") << Qt::endl;
        } else {
            m_out << "differs from the recording:" << Qt::endl;
            for (const SessionComparison::Difference &d : comparison.differences())
                m_out << "  " << TerminalText::escaped(d.text) << Qt::endl;
            exitCode = ExitFailed;
        }
        // A flipped close order that raced in the recording too is no news about the peer.
        for (const SessionComparison::Difference &d : comparison.races())
            m_out << "  race, not a difference: " << TerminalText::escaped(d.text) << Qt::endl;
    }
    m_out.flush();
    m_err.flush();
    emit done(exitCode);
}

void ReplayCommand::printError(const QString &sentence)
{
    m_err << "finscope-cli: " << TerminalText::escaped(sentence) << Qt::endl;
}

} // namespace finscope
