#pragma once

// finscope-cli's commands over the engine: client, server and show. Owns the run's endpoints,
// prints one line per event and turns the outcome into the exit code of DESIGN.md §5.

#include "engine/core/action.h"
#include "engine/run/workbench.h"

#include <QList>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include <memory>

namespace finscope {

class ActionRunner;
class ScenarioCommand;
class ReplayCommand;

enum ExitCode { ExitOk = 0, ExitFailed = 1, ExitUsage = 2, ExitInvalid = 3 };

struct CliOptions
{
    QString command; // client, server, scenario, show, replay, diff, export
    QStringList positional;
    QStringList commandArguments; // for the commands that parse their own (replay, diff, export)
    QString savePath;
    int timeoutSec = 30;
    bool timeoutGiven = false; // a scenario has its own bound unless --timeout is given
    int connections = 1;
    bool quiet = false;
};

class CliCommand : public QObject
{
    Q_OBJECT
public:
    CliCommand(QTextStream &out, QTextStream &err, QObject *parent = nullptr);
    ~CliCommand() override;

    // Parses argv (without the program name); on failure returns nullopt and sets *error.
    static std::optional<CliOptions> parseArguments(const QStringList &args, QString *error);
    static QString usage();

    // Starts the command; done() reports the exit code. Returns an exit code at once (and emits
    // nothing) when the command fails before anything runs.
    std::optional<int> start(const CliOptions &options);

signals:
    void done(int exitCode);

private:
    std::optional<int> startClient();
    std::optional<int> startServer();
    int show();
    ActionRunner *addRunner(Endpoint *endpoint);
    void handleAccepted(Endpoint *endpoint);
    void handleRunnerFinished();
    void handleTimeout();
    void finish(int exitCode);
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
    ScenarioCommand *m_scenario = nullptr;
    std::unique_ptr<ReplayCommand> m_replay;
};

} // namespace finscope
