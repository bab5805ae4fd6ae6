#pragma once

// finscope-cli's commands over the engine: client, server and show. Owns the run's endpoints,
// prints one line per event and turns the outcome into the exit code of DESIGN.md §5.

#include "diffcommand.h"
#include "engine/core/action.h"
#include "engine/run/settler.h"
#include "engine/run/workbench.h"
#include "exportcommand.h"
#include "replaycommand.h"
#include "signalwatch.h"

#include <QCommandLineOption>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include <memory>

namespace finscope {

class ActionRunner;
class CommandParser;
class ScenarioCommand;

enum ExitCode { ExitOk = 0, ExitFailed = 1, ExitUsage = 2, ExitInvalid = 3 };

// --settle MS, the same for every command that runs ends (client, server, scenario run, replay).
const QCommandLineOption &settleOption();

struct CliOptions
{
    QString command; // client, server, scenario, show, replay, diff, export; help prints text
    QStringList positional;
    QString savePath;
    qint64 timeoutMs = 30000;
    bool timeoutGiven = false; // a scenario has its own bound unless --timeout is given
    int connections = 1;
    bool quiet = false;
    int settleMs = Settler::DefaultBoundMs; // --settle: the bound on waiting for closed ends
    std::optional<ReplayOptions> replay;
    std::optional<ExportOptions> exported;
    std::optional<DiffOptions> diff;
    QString text;        // what help (--help, --version) prints
    bool v6only = false; // a server on :: takes IPv6 clients only

    // client, server, show and scenario list|run: reads the arguments after the command's name
    // with parser, which answers --help (nullopt, parser.helpRequested()) from the same options.
    static std::optional<CliOptions>
    parse(const QString &command, CommandParser &parser, const QStringList &args, QString *error);
};

class CliCommand : public QObject
{
    Q_OBJECT
public:
    CliCommand(QTextStream &out, QTextStream &err, QObject *parent = nullptr);
    ~CliCommand() override;

    // Starts the command; done() reports the exit code. Returns an exit code at once (and emits
    // nothing) when the command fails before anything runs. While a command runs, SIGINT, SIGTERM
    // and SIGHUP end it: what was recorded is saved (--save) and the exit code is 128 + the
    // signal's number.
    std::optional<int> start(const CliOptions &options);

signals:
    void done(int exitCode);

private:
    std::optional<int> startCommand();
    // Refuses before anything connects what would fail later: a --save that cannot be written,
    // a send-file that cannot be read. False after printing why.
    bool checkFiles(const QString &savePath, const QList<Action> &actions);
    void handleSignal(int signo);
    std::optional<int> startClient();
    std::optional<int> startServer();
    int show();
    ActionRunner *addRunner(Endpoint *endpoint);
    void handleAccepted(Endpoint *endpoint);
    void handleRunnerFinished();
    void handleTimeout();
    bool abandonConnects(const QString &why);
    // Closes what is open, lets the closed ends settle (bounded by --settle) unless settle is
    // false, then saves.
    void finish(int exitCode, bool settle = true);
    // After the ends settled: saves (with --save) and reports the exit code.
    void save(int exitCode);
    void printEvent(qsizetype index);
    void printError(const QString &sentence);

    QTextStream &m_out;
    QTextStream &m_err;
    CliOptions m_options;
    QList<Action> m_actions;
    Workbench m_workbench;
    QList<ActionRunner *> m_runners;
    bool m_printing = false; // a server prints nothing before its "listening on" line
    bool m_finished = false;
    QTimer m_timeout;
    int m_connectFailureExit = ExitInvalid; // ExitFailed once the timeout ended the connect
    Settler m_settler;
    int m_exitCode = ExitOk;
    ScenarioCommand *m_scenario = nullptr;
    std::unique_ptr<ReplayCommand> m_replay;
    SignalWatch m_signals;
    bool m_interrupted = false;
};

} // namespace finscope
