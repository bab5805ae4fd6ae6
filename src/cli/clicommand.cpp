#include "clicommand.h"

#include "commandparser.h"
#include "diffcommand.h"
#include "engine/core/hostport.h"
#include "engine/core/outputfile.h"
#include "engine/core/terminaltext.h"
#include "engine/run/actionrunner.h"
#include "engine/session/eventformat.h"
#include "engine/session/sessiontextexport.h"
#include "engine/socket/endpoint.h"
#include "scenariocommand.h"

#include <QCoreApplication>

#include <algorithm>

namespace finscope {

namespace {

const QString ActionWords = QStringLiteral(
    "One action per argument, run in order as a blocking program would: 'send TEXT' (escapes \\n "
    "\\r \\t \\\\ \\xNN), 'send-hex HEX', 'send-file PATH', 'send-pattern N[K|M|G]', 'shutdown "
    "wr|rd|rdwr', close, abort, read, read-until-eof, pause-reading, resume-reading, echo, "
    "echo-upper, discard, 'wait MS', expect-eof, expect-rst, dup, close-dup.");

const QCommandLineOption SaveOption(QStringLiteral("save"),
                                    QStringLiteral("Saves the session to FILE when the run ends, "
                                                   "also when Ctrl-C, SIGTERM or SIGHUP ends it."),
                                    QStringLiteral("FILE"));
const QCommandLineOption QuietOption(QStringLiteral("quiet"),
                                     QStringLiteral("Prints no event lines."));
const QCommandLineOption SettleOption(
    QStringLiteral("settle"),
    QStringLiteral("After the last action, waits up to MS (default %1) until each closed end is in "
                   "TIME_WAIT or gone from the kernel's table, so the first closer records its "
                   "TIME_WAIT; 0 exits at once. Never past --timeout.")
        .arg(Settler::DefaultBoundMs),
    QStringLiteral("MS"));

} // namespace

const QCommandLineOption &settleOption()
{
    return SettleOption;
}

namespace {

// The options every run shares (client, server, scenario run): --save, --quiet, --timeout,
// --settle, read from a parser that declared them.
bool readRunOptions(CommandParser &parser, CliOptions *options, QString *error)
{
    options->savePath = parser.value(SaveOption);
    options->quiet = parser.isSet(QuietOption);
    if (parser.timeoutGiven()) {
        const auto ms = parser.timeoutMs(error);
        if (!ms)
            return false;
        options->timeoutMs = *ms;
        options->timeoutGiven = true;
    }
    if (parser.isSet(SettleOption)) {
        const auto settle = parser.intValue(SettleOption, 0, 600'000, error);
        if (!settle)
            return false;
        options->settleMs = *settle;
    }
    return true;
}

// client and server: an address, the actions, and how the run is bounded and kept.
std::optional<CliOptions> parseEndpoint(const QString &command,
                                        CommandParser &parser,
                                        const QStringList &args,
                                        QString *error)
{
    const bool server = command == QLatin1StringView("server");
    const QCommandLineOption connections(
        QStringLiteral("connections"),
        QStringLiteral("Runs the actions on each of N accepted connections, then exits "
                       "(default 1)."),
        QStringLiteral("N"));
    const QCommandLineOption v6only(QStringLiteral("v6only"),
                                    QStringLiteral("Listening on :: takes IPv6 clients only "
                                                   "(without it :: takes IPv4 clients too)."));
    if (server) {
        parser.setCommand(command,
                          QStringLiteral("Listens and runs the actions on every accepted "
                                         "connection."));
        parser.addArgument(QStringLiteral("[ADDR:]PORT"),
                           QStringLiteral("Where to listen: 127.0.0.1 unless ADDR is given "
                                          "(localhost is 127.0.0.1; :: takes IPv4 and IPv6 "
                                          "clients); port 0 lets the OS choose, and the first "
                                          "line printed is 'listening on ADDR:PORT'."),
                           QStringLiteral("[ADDR:]PORT"));
    } else {
        parser.setCommand(command,
                          QStringLiteral("Connects to a server and runs the actions on the "
                                         "connection."));
        parser.addArgument(QStringLiteral("HOST:PORT"),
                           QStringLiteral("The server to connect to; an IPv6 address in brackets."),
                           QStringLiteral("HOST:PORT"));
    }
    parser.addArgument(QStringLiteral("ACTION"), ActionWords, QStringLiteral("ACTION..."));
    parser.addOption(SaveOption);
    parser.addTimeout(QStringLiteral("Bounds the whole run (default 30 s; fractions such as 0.5 "
                                     "too); when it hits, the exit code is 1."));
    if (server) {
        parser.addOption(connections);
        parser.addOption(v6only);
    }
    parser.addOption(QuietOption);
    parser.addOption(SettleOption);
    if (!parser.parse(args, error))
        return std::nullopt;

    CliOptions options;
    options.command = command;
    options.positional = parser.positionalArguments();
    options.v6only = server && parser.isSet(v6only);
    if (!readRunOptions(parser, &options, error))
        return std::nullopt;
    if (server && parser.isSet(connections)) {
        const auto n = parser.intValue(connections, 1, 100000, error);
        if (!n)
            return std::nullopt;
        options.connections = *n;
    }
    if (options.positional.isEmpty()) {
        *error = QStringLiteral("%1 needs an address").arg(command);
        return std::nullopt;
    }
    return options;
}

std::optional<CliOptions> parseShow(CommandParser &parser, const QStringList &args, QString *error)
{
    parser.setCommand(QStringLiteral("show"),
                      QStringLiteral("Prints a saved session's timeline, one line per event."));
    parser.setDescription(QStringLiteral("Each line: seconds since start, side and connection, "
                                         "event, details."));
    parser.addArgument(QStringLiteral("FILE"),
                       QStringLiteral("A session saved by finscope or finscope-cli."),
                       QStringLiteral("FILE"));
    if (!parser.parse(args, error))
        return std::nullopt;
    CliOptions options;
    options.command = QStringLiteral("show");
    options.positional = parser.positionalArguments();
    if (options.positional.size() != 1) {
        *error = options.positional.isEmpty() ? QStringLiteral("show needs a FILE")
                                              : QStringLiteral("show takes one FILE");
        return std::nullopt;
    }
    return options;
}

// scenario list, scenario run ID: each verb has its own parser; "scenario" alone explains both.
std::optional<CliOptions>
parseScenario(CommandParser &parser, const QStringList &args, QString *error)
{
    // Options go anywhere, before the verb too ("scenario --timeout 5 run ID"): the verb is the
    // first argument that is neither an option nor the value of one.
    qsizetype verbAt = -1;
    for (qsizetype i = 0; i < args.size() && verbAt < 0; ++i) {
        const QString &arg = args.at(i);
        if (arg == QLatin1StringView("--"))
            break;
        if (!arg.startsWith(u'-'))
            verbAt = i;
        else if (!arg.contains(u'=')
                 && (SaveOption.names().contains(arg.mid(2))
                     || arg == QLatin1StringView("--timeout")
                     || SettleOption.names().contains(arg.mid(2))))
            ++i; // its value
    }
    const QString verb = verbAt >= 0 ? args.at(verbAt) : QString();
    QStringList rest = args;
    if (verbAt >= 0)
        rest.removeAt(verbAt);
    const QString wrongVerb = QStringLiteral("scenario takes 'list' or 'run ID'");
    CliOptions options;
    options.command = QStringLiteral("scenario");
    if (verb == QLatin1StringView("list")) {
        parser.setCommand(QStringLiteral("scenario list"),
                          QStringLiteral("Prints each scenario's id and title."));
        if (!parser.parse(rest, error))
            return std::nullopt;
        if (!parser.positionalArguments().isEmpty()) {
            *error = wrongVerb;
            return std::nullopt;
        }
        options.positional = QStringList{verb};
        return options;
    }
    if (verb == QLatin1StringView("run")) {
        parser.setCommand(QStringLiteral("scenario run"),
                          QStringLiteral("Runs a scenario on loopback and checks its facts."));
        parser.setDescription(QStringLiteral("Both ends run in this process; exit 0 when every "
                                             "fact holds on this kernel,\n1 otherwise."));
        parser.addArgument(QStringLiteral("ID"),
                           QStringLiteral("A scenario id, as 'finscope-cli scenario list' prints."),
                           QStringLiteral("ID"));
        parser.addOption(SaveOption);
        parser.addTimeout(QStringLiteral("Replaces the scenario's own time bound (fractions such "
                                         "as 0.5 too)."));
        parser.addOption(QuietOption);
        parser.addOption(SettleOption);
        if (!parser.parse(rest, error))
            return std::nullopt;
        if (parser.positionalArguments().size() != 1) {
            *error = wrongVerb;
            return std::nullopt;
        }
        options.positional = QStringList{verb} + parser.positionalArguments();
        if (!readRunOptions(parser, &options, error))
            return std::nullopt;
        return options;
    }
    // Neither verb: the help names both, from their own parsers.
    QString verbs;
    for (const char *name : {"list", "run"}) {
        CommandParser verbParser;
        QString ignored;
        parseScenario(
            verbParser, QStringList{QLatin1StringView(name), QStringLiteral("--help")}, &ignored);
        verbs += QStringLiteral("\n  %1\n    %2").arg(verbParser.synopsis(), verbParser.summary());
    }
    parser.setCommand(QStringLiteral("scenario"),
                      QStringLiteral("Lists the scenarios, or runs one with both ends in this "
                                     "process."));
    parser.addArgument(QStringLiteral("list|run"),
                       QStringLiteral("'scenario run --help' lists run's options."),
                       QStringLiteral("list|run ..."));
    parser.setDescription(verbs);
    if (!parser.parse(args, error))
        return std::nullopt;
    *error = parser.positionalArguments().isEmpty()
                 ? QStringLiteral("scenario needs 'list' or 'run ID'")
                 : QStringLiteral("%1, not '%2'").arg(wrongVerb, verb);
    return std::nullopt;
}

} // namespace

std::optional<CliOptions> CliOptions::parse(const QString &command,
                                            CommandParser &parser,
                                            const QStringList &args,
                                            QString *error)
{
    if (command == QLatin1StringView("show"))
        return parseShow(parser, args, error);
    if (command == QLatin1StringView("scenario"))
        return parseScenario(parser, args, error);
    return parseEndpoint(command, parser, args, error);
}

CliCommand::CliCommand(QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent)
    , m_out(out)
    , m_err(err)
{
    m_workbench.recorder()->setTool(
        QStringLiteral("finscope-cli %1").arg(QCoreApplication::applicationVersion()));
    m_timeout.setSingleShot(true);
    // A coarse timer may fire 5 % early or late: 29.78 s for --timeout 30.
    m_timeout.setTimerType(Qt::PreciseTimer);
    connect(&m_timeout, &QTimer::timeout, this, &CliCommand::handleTimeout);
    connect(m_workbench.recorder(), &Recorder::eventAdded, this, &CliCommand::printEvent);
    connect(&m_settler, &Settler::done, this, [this] { save(m_exitCode); });
}

CliCommand::~CliCommand() = default;

std::optional<int> CliCommand::start(const CliOptions &options)
{
    m_options = options;
    // What runs and records must end in order when interrupted, not lose what it recorded; the
    // watch goes in first, so a signal sent as soon as "listening on" is printed is caught too.
    const bool runs = options.replay || options.command == QLatin1StringView("client")
                      || options.command == QLatin1StringView("server")
                      || (options.command == QLatin1StringView("scenario")
                          && options.positional.value(0) == QLatin1StringView("run"));
    QString error;
    if (runs && !m_signals.install(&error))
        printError(error);
    connect(&m_signals, &SignalWatch::caught, this, &CliCommand::handleSignal);
    return startCommand();
}

std::optional<int> CliCommand::startCommand()
{
    const CliOptions &options = m_options;
    if (options.command == QLatin1StringView("show"))
        return show();
    if (options.command == QLatin1StringView("scenario")) {
        if (!checkFiles(options.savePath, {}))
            return ExitInvalid;
        m_scenario = new ScenarioCommand(m_out, m_err, this);
        connect(m_scenario, &ScenarioCommand::done, this, &CliCommand::done);
        m_scenario->setSettleMs(options.settleMs);
        return m_scenario->start(options.positional,
                                 options.savePath,
                                 options.timeoutGiven ? std::optional<qint64>(options.timeoutMs)
                                                      : std::nullopt,
                                 options.quiet);
    }
    if (options.diff)
        return DiffCommand::run(*options.diff, m_out, m_err);
    if (options.exported)
        return ExportCommand::run(*options.exported, m_out, m_err);
    if (options.replay) {
        if (!checkFiles(options.replay->savePath, {}))
            return ExitInvalid;
        m_replay = std::make_unique<ReplayCommand>(m_out, m_err);
        connect(m_replay.get(), &ReplayCommand::done, this, &CliCommand::done);
        return m_replay->start(*options.replay);
    }
    QString error;
    const auto actions = Action::parseList(options.positional.mid(1), &error);
    if (!actions) {
        m_err << "finscope-cli: " << error << "\n";
        return ExitUsage;
    }
    m_actions = *actions;
    return options.command == QLatin1StringView("client") ? startClient() : startServer();
}

bool CliCommand::checkFiles(const QString &savePath, const QList<Action> &actions)
{
    QString error;
    OutputFile save(savePath);
    save.setWhat(QStringLiteral("session"));
    if ((savePath.isEmpty() || save.check(&error)) && ActionRunner::checkFiles(actions, &error))
        return true;
    printError(error);
    return false;
}

void CliCommand::handleSignal(int signo)
{
    if (m_interrupted)
        return;
    m_interrupted = true;
    const QString savePath = m_options.replay ? m_options.replay->savePath : m_options.savePath;
    printError(QStringLiteral("stopped by %1%2")
                   .arg(SignalWatch::name(signo),
                        savePath.isEmpty()
                            ? QString()
                            : QStringLiteral("; saving what was recorded to '%1'").arg(savePath)));
    const int exitCode = SignalWatch::exitCode(signo);
    if (m_finished) {
        // Already settling: stop waiting, keep the signal's exit code, save what was recorded.
        m_exitCode = exitCode;
        m_settler.abandon();
        return;
    }
    if (m_scenario) {
        m_scenario->interrupt(exitCode);
    } else if (m_replay) {
        m_replay->interrupt(exitCode);
    } else {
        m_workbench.stopListening();
        // A connect still under way ends with the signal, recorded with the address it went to.
        abandonConnects(QStringLiteral("stopped by %1").arg(SignalWatch::name(signo)));
        finish(exitCode, false); // an interruption ends now: no settling
    }
}

std::optional<int> CliCommand::startClient()
{
    QString error;
    const auto target = HostPort::parse(m_options.positional.first(), false, &error);
    if (!target) {
        m_err << "finscope-cli: " << error << "\n";
        return ExitUsage;
    }
    if (!checkFiles(m_options.savePath, m_actions))
        return ExitInvalid;
    m_timeout.start(std::chrono::milliseconds(m_options.timeoutMs));
    m_printing = true;
    Endpoint *endpoint = m_workbench.connectClient(target->host, target->port);
    ActionRunner *runner = addRunner(endpoint);
    connect(endpoint, &Endpoint::connected, runner, &ActionRunner::start);
    connect(endpoint, &Endpoint::connectFailed, this, [this](const QString &reason) {
        if (m_interrupted)
            return; // abandoned by a signal: handleSignal said why and ends with 128+N
        printError(reason);
        finish(m_connectFailureExit);
    });
    return std::nullopt;
}

std::optional<int> CliCommand::startServer()
{
    QString error;
    const auto where = HostPort::parse(m_options.positional.first(), true, &error);
    if (!where) {
        m_err << "finscope-cli: " << error << "\n";
        return ExitUsage;
    }
    const auto address = HostPort::listenAddress(where->host, &error, m_options.v6only);
    if (!address) {
        m_err << "finscope-cli: " << error << "\n";
        return ExitUsage;
    }
    if (!checkFiles(m_options.savePath, m_actions))
        return ExitInvalid;
    m_timeout.start(std::chrono::milliseconds(m_options.timeoutMs));
    connect(&m_workbench, &Workbench::serverConnectionAdded, this, &CliCommand::handleAccepted);
    // Also said on stderr, so a --quiet run tells it too.
    connect(&m_workbench, &Workbench::acceptingStalled, this, &CliCommand::printError);
    if (!m_workbench.listen(*address, where->port, &error)) {
        m_printing = true;
        printEvent(m_workbench.events().size() - 1);
        printError(error);
        finish(ExitInvalid);
        return ExitInvalid;
    }
    // The first line says where to connect; the event lines follow it.
    m_out << "listening on " << m_workbench.listenAddress() << Qt::endl;
    m_printing = true;
    printEvent(m_workbench.events().size() - 1);
    return std::nullopt;
}

ActionRunner *CliCommand::addRunner(Endpoint *endpoint)
{
    auto *runner = new ActionRunner(endpoint, m_actions, this);
    m_runners.append(runner);
    m_workbench.recorder()->attach(runner);
    connect(runner, &ActionRunner::finished, this, &CliCommand::handleRunnerFinished);
    return runner;
}

void CliCommand::handleAccepted(Endpoint *endpoint)
{
    const qsizetype accepted = m_workbench.serverConnections().size();
    if (accepted >= m_options.connections)
        m_workbench.stopListening();
    if (accepted > m_options.connections) {
        endpoint->close(); // raced in before the listener closed
        return;
    }
    if (!endpoint->isOpen()) {
        handleRunnerFinished();
        return;
    }
    addRunner(endpoint)->start();
}

void CliCommand::handleRunnerFinished()
{
    if (m_options.command == QLatin1StringView("server")
        && m_workbench.serverConnections().size() < m_options.connections) {
        return;
    }
    for (const ActionRunner *runner : std::as_const(m_runners)) {
        if (!runner->isFinished() && runner->endpoint()->status() == Endpoint::Status::Open)
            return;
    }
    bool ok = true;
    for (const ActionRunner *runner : std::as_const(m_runners)) {
        for (const QString &failure : runner->failures())
            printError(QStringLiteral("expectation failed: %1").arg(failure));
        ok = ok && runner->succeeded();
    }
    finish(ok ? ExitOk : ExitFailed);
}

void CliCommand::handleTimeout()
{
    if (abandonConnects(
            QStringLiteral("timed out after %1").arg(CommandParser::seconds(m_options.timeoutMs))))
        return;
    QString what;
    for (const ActionRunner *runner : std::as_const(m_runners)) {
        if (runner->isRunning())
            what = QStringLiteral(" waiting for %1").arg(runner->waitingFor());
    }
    // Connections that never arrived are what the run lacks most: named before a running action.
    const qsizetype accepted = m_workbench.serverConnections().size();
    if (m_options.command == QLatin1StringView("server") && accepted < m_options.connections)
        what = QStringLiteral(" waiting for connection %1 of %2")
                   .arg(accepted + 1)
                   .arg(m_options.connections);
    printError(QStringLiteral("timed out after %1%2")
                   .arg(CommandParser::seconds(m_options.timeoutMs), what));
    finish(ExitFailed, false); // the bound is the bound: no settling after it
}

// A connect still under way when the run ends: the endpoint records the attempt's end, naming the
// address it went to, and its sentence is the one printed (exit 1, as for any timeout).
bool CliCommand::abandonConnects(const QString &why)
{
    for (Endpoint *client : m_workbench.clients()) {
        const Endpoint::Status status = client->status();
        if (status == Endpoint::Status::Resolving || status == Endpoint::Status::Connecting) {
            m_connectFailureExit = ExitFailed;
            client->cancelConnect(why);
            return true;
        }
    }
    return false;
}

void CliCommand::finish(int exitCode, bool settle)
{
    if (m_finished)
        return;
    m_finished = true;
    // --timeout bounds the whole run: settling gets what is left of it, never more.
    int settleMs = settle ? m_options.settleMs : 0;
    if (m_timeout.isActive())
        settleMs = std::min(settleMs, std::max(m_timeout.remainingTime(), 0));
    m_timeout.stop();
    // The process is about to exit, which closes every socket: record that close as it happens.
    QList<Endpoint *> ends;
    for (const auto *list : {&m_workbench.clients(), &m_workbench.serverConnections()}) {
        for (Endpoint *endpoint : *list) {
            endpoint->closeAtExit();
            ends.append(endpoint);
        }
    }
    m_exitCode = exitCode;
    m_settler.settle(ends, settleMs);
}

void CliCommand::save(int exitCode)
{
    if (!m_options.savePath.isEmpty()) {
        QString error;
        if (!m_workbench.recorder()->session().save(m_options.savePath, &error)) {
            printError(error);
            if (exitCode == ExitOk)
                exitCode = ExitInvalid;
        }
    }
    m_out.flush();
    m_err.flush();
    emit done(exitCode);
}

int CliCommand::show()
{
    QString error;
    const auto session = Session::load(m_options.positional.first(), &error);
    if (!session) {
        printError(error);
        return ExitInvalid;
    }
    m_out << SessionTextExport::text(*session);
    m_out.flush();
    return ExitOk;
}

void CliCommand::printEvent(qsizetype index)
{
    if (m_options.quiet || !m_printing || index < 0)
        return;
    const EventStore &store = m_workbench.events();
    m_out << formatEvent(store.at(index), store) << Qt::endl;
}

void CliCommand::printError(const QString &sentence)
{
    m_err << "finscope-cli: " << TerminalText::escaped(sentence) << Qt::endl;
}

} // namespace finscope
