#include "clicommand.h"

#include "diffcommand.h"
#include "engine/core/hostport.h"
#include "engine/run/actionrunner.h"
#include "engine/session/eventformat.h"
#include "engine/session/sessiontextexport.h"
#include "engine/socket/endpoint.h"
#include "exportcommand.h"
#include "replaycommand.h"
#include "scenariocommand.h"

#include <QCoreApplication>

namespace finscope {

CliCommand::CliCommand(QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent)
    , m_out(out)
    , m_err(err)
{
    m_workbench.recorder()->setTool(
        QStringLiteral("finscope-cli %1").arg(QCoreApplication::applicationVersion()));
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &CliCommand::handleTimeout);
    connect(m_workbench.recorder(), &Recorder::eventAdded, this, &CliCommand::printEvent);
}

CliCommand::~CliCommand() = default;

QString CliCommand::usage()
{
    return QStringLiteral(
        "usage:\n"
        "  finscope-cli client HOST:PORT ACTION... [--save FILE] [--timeout SEC] [--quiet]\n"
        "  finscope-cli server [ADDR:]PORT ACTION... [--save FILE] [--timeout SEC]\n"
        "                      [--connections N] [--quiet]\n"
        "  finscope-cli scenario list\n"
        "  finscope-cli scenario run ID [--save FILE] [--timeout SEC] [--quiet]\n"
        "  finscope-cli show FILE\n"
        "  finscope-cli replay FILE [--side both|client|server] [--target HOST:PORT]\n"
        "                      [--listen [ADDR:]PORT] [--speed X|max] [--step] [--save OUT]\n"
        "                      [--timeout SEC]\n"
        "  finscope-cli diff A.json B.json\n"
        "  finscope-cli export FILE --to text|svg|png|python OUT [--side client|server]\n"
        "                      [--width N]  (OUT - is stdout)\n"
        "\n"
        "Each ACTION is one argument: 'send TEXT' (escapes \\n \\r \\t \\\\ \\xNN), 'send-hex "
        "HEX',\n"
        "'send-file PATH', 'send-pattern N[K|M|G]', 'shutdown wr|rd|rdwr', close, abort, read,\n"
        "read-until-eof, pause-reading, resume-reading, echo, echo-upper, discard, 'wait MS',\n"
        "expect-eof, expect-rst, dup, close-dup.\n"
        "The server binds 127.0.0.1 unless ADDR is given; port 0 lets the OS choose.\n"
        "--timeout bounds the whole run (default 30 s). --quiet prints no event lines.\n"
        "A scenario runs both ends in this process on loopback and checks its facts; its own\n"
        "bound applies unless --timeout is given.\n"
        "replay keeps the recorded gaps between actions (--speed 2 halves them, max drops them)\n"
        "and compares what happens now with the recording; diff compares two sessions.\n"
        "export --to svg|png draws the whole timeline, 1600 pixels wide unless --width N\n"
        "(200 to 10000), with no display needed; --side picks the end a python script plays.\n"
        "Exit codes: 0 ok, 1 an expectation or a scenario's fact failed, the timeout hit, or a\n"
        "replay or diff found a difference, 2 usage, 3 an unreadable or invalid file, or a\n"
        "network failure.\n");
}

std::optional<CliOptions> CliCommand::parseArguments(const QStringList &args, QString *error)
{
    CliOptions options;
    if (args.isEmpty()) {
        *error = QStringLiteral("no command given");
        return std::nullopt;
    }
    options.command = args.first();
    static const QStringList commands{QStringLiteral("client"),
                                      QStringLiteral("server"),
                                      QStringLiteral("scenario"),
                                      QStringLiteral("show"),
                                      QStringLiteral("replay"),
                                      QStringLiteral("diff"),
                                      QStringLiteral("export"),
                                      QStringLiteral("help")};
    if (options.command == QLatin1StringView("--help")
        || options.command == QLatin1StringView("-h"))
        options.command = QStringLiteral("help");
    if (!commands.contains(options.command)) {
        *error = QStringLiteral("unknown command '%1'").arg(options.command);
        return std::nullopt;
    }
    // These parse their own arguments; checked here so a usage error is one before anything runs.
    if (options.command == QLatin1StringView("replay")
        || options.command == QLatin1StringView("diff")
        || options.command == QLatin1StringView("export")) {
        options.commandArguments = args.mid(1);
        if (options.commandArguments.contains(QStringLiteral("--help"))) {
            options.command = QStringLiteral("help");
            return options;
        }
        const bool ok = options.command == QLatin1StringView("replay")
                            ? ReplayOptions::parse(options.commandArguments, error).has_value()
                        : options.command == QLatin1StringView("diff")
                            ? DiffCommand::checkArguments(options.commandArguments, error)
                            : ExportOptions::parse(options.commandArguments, error).has_value();
        if (!ok)
            return std::nullopt;
        return options;
    }
    bool optionsEnded = false;
    for (qsizetype i = 1; i < args.size(); ++i) {
        QString arg = args.at(i);
        if (optionsEnded || !arg.startsWith(QLatin1StringView("--"))) {
            options.positional.append(arg);
            continue;
        }
        if (arg == QLatin1StringView("--")) {
            optionsEnded = true;
            continue;
        }
        QString value;
        bool hasValue = false;
        if (const qsizetype eq = arg.indexOf(u'='); eq > 0) {
            value = arg.mid(eq + 1);
            arg = arg.left(eq);
            hasValue = true;
        }
        const auto takeValue = [&]() -> bool {
            if (hasValue)
                return true;
            if (i + 1 >= args.size()) {
                *error = QStringLiteral("%1 needs a value").arg(arg);
                return false;
            }
            value = args.at(++i);
            return true;
        };
        const auto takeInt = [&](int min, int max, int *out) -> bool {
            if (!takeValue())
                return false;
            bool ok = false;
            const int n = value.toInt(&ok);
            if (!ok || n < min || n > max) {
                *error = QStringLiteral("%1: expected a whole number from %2 to %3, got '%4'")
                             .arg(arg)
                             .arg(min)
                             .arg(max)
                             .arg(value);
                return false;
            }
            *out = n;
            return true;
        };
        if (arg == QLatin1StringView("--save")) {
            if (!takeValue())
                return std::nullopt;
            options.savePath = value;
        } else if (arg == QLatin1StringView("--timeout")) {
            if (!takeInt(1, 24 * 3600, &options.timeoutSec))
                return std::nullopt;
            options.timeoutGiven = true;
        } else if (arg == QLatin1StringView("--connections")) {
            if (!takeInt(1, 100000, &options.connections))
                return std::nullopt;
        } else if (arg == QLatin1StringView("--quiet")) {
            options.quiet = true;
        } else if (arg == QLatin1StringView("--help")) {
            options.command = QStringLiteral("help");
        } else {
            *error = QStringLiteral("unknown option '%1'").arg(arg);
            return std::nullopt;
        }
    }
    if (options.command == QLatin1StringView("help"))
        return options;
    if (options.positional.isEmpty()) {
        *error = options.command == QLatin1StringView("show") ? QStringLiteral("show needs a FILE")
                 : options.command == QLatin1StringView("scenario")
                     ? QStringLiteral("scenario needs 'list' or 'run ID'")
                     : QStringLiteral("%1 needs an address").arg(options.command);
        return std::nullopt;
    }
    if (options.command == QLatin1StringView("show") && options.positional.size() > 1) {
        *error = QStringLiteral("show takes one FILE");
        return std::nullopt;
    }
    if (options.command != QLatin1StringView("server") && options.connections != 1) {
        *error = QStringLiteral("--connections is for the server");
        return std::nullopt;
    }
    return options;
}

std::optional<int> CliCommand::start(const CliOptions &options)
{
    m_options = options;
    if (options.command == QLatin1StringView("show"))
        return show();
    if (options.command == QLatin1StringView("scenario")) {
        m_scenario = new ScenarioCommand(m_out, m_err, this);
        connect(m_scenario, &ScenarioCommand::done, this, &CliCommand::done);
        return m_scenario->start(options.positional,
                                 options.savePath,
                                 options.timeoutGiven ? std::optional<int>(options.timeoutSec)
                                                      : std::nullopt,
                                 options.quiet);
    }
    if (options.command == QLatin1StringView("diff"))
        return DiffCommand::run(options.commandArguments, m_out, m_err);
    if (options.command == QLatin1StringView("export")) {
        QString error;
        const auto exportOptions = ExportOptions::parse(options.commandArguments, &error);
        return exportOptions ? ExportCommand::run(*exportOptions, m_out, m_err) : ExitUsage;
    }
    if (options.command == QLatin1StringView("replay")) {
        QString error;
        const auto replayOptions = ReplayOptions::parse(options.commandArguments, &error);
        if (!replayOptions)
            return ExitUsage;
        m_replay = std::make_unique<ReplayCommand>(m_out, m_err);
        connect(m_replay.get(), &ReplayCommand::done, this, &CliCommand::done);
        return m_replay->start(*replayOptions);
    }
    QString error;
    const auto actions = Action::parseList(options.positional.mid(1), &error);
    if (!actions) {
        m_err << "finscope-cli: " << error << "\n";
        return ExitUsage;
    }
    m_actions = *actions;
    m_timeout.start(options.timeoutSec * 1000);
    return options.command == QLatin1StringView("client") ? startClient() : startServer();
}

std::optional<int> CliCommand::startClient()
{
    QString error;
    const auto target = HostPort::parse(m_options.positional.first(), false, &error);
    if (!target) {
        m_err << "finscope-cli: " << error << "\n";
        return ExitUsage;
    }
    m_printing = true;
    Endpoint *endpoint = m_workbench.connectClient(target->host, target->port);
    ActionRunner *runner = addRunner(endpoint);
    connect(endpoint, &Endpoint::connected, runner, &ActionRunner::start);
    connect(endpoint, &Endpoint::connectFailed, this, [this](const QString &reason) {
        printError(reason);
        finish(ExitInvalid);
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
    const auto address = HostPort::listenAddress(where->host, &error);
    if (!address) {
        m_err << "finscope-cli: " << error << "\n";
        return ExitUsage;
    }
    connect(&m_workbench, &Workbench::serverConnectionAdded, this, &CliCommand::handleAccepted);
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
    QString what;
    for (const ActionRunner *runner : std::as_const(m_runners)) {
        if (runner->isRunning())
            what = QStringLiteral(" waiting for %1").arg(runner->waitingFor());
    }
    if (what.isEmpty() && m_options.command == QLatin1StringView("server"))
        what = QStringLiteral(" waiting for connection %1 of %2")
                   .arg(m_workbench.serverConnections().size() + 1)
                   .arg(m_options.connections);
    printError(QStringLiteral("timed out after %1 s%2").arg(m_options.timeoutSec).arg(what));
    finish(ExitFailed);
}

void CliCommand::finish(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    m_timeout.stop();
    // The process is about to exit, which closes every socket: record that close as it happens.
    for (const auto *list : {&m_workbench.clients(), &m_workbench.serverConnections()}) {
        for (Endpoint *endpoint : *list) {
            if (endpoint->isOpen())
                endpoint->close();
        }
    }
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
    m_err << "finscope-cli: " << sentence << Qt::endl;
}

} // namespace finscope
