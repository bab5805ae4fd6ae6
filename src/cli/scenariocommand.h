#pragma once

// finscope-cli scenario list|run: lists the catalog, or runs one scenario with both ends in this
// process on loopback, printing its explanation, each step and event as it happens, and one
// verdict line per expected fact.

#include "engine/run/settler.h"

#include <QObject>
#include <QStringList>
#include <QTextStream>

#include <memory>
#include <optional>

namespace finscope {

class ScenarioRunner;

class ScenarioCommand : public QObject
{
    Q_OBJECT
public:
    ScenarioCommand(QTextStream &out, QTextStream &err, QObject *parent = nullptr);
    ~ScenarioCommand() override;

    // args are what follows "scenario": "list", or "run ID". timeoutMs replaces the scenario's
    // own bound when given. Returns an exit code at once when nothing runs (list, usage);
    // otherwise done() reports it.
    std::optional<int> start(const QStringList &args,
                             const QString &savePath,
                             std::optional<qint64> timeoutMs,
                             bool quiet);

    // After the last step, how long to wait for closed ends to settle in the kernel (--settle).
    void setSettleMs(int ms) { m_settleMs = ms; }

    // Ends the run now (a signal): what was recorded is saved, done(exitCode) follows.
    void interrupt(int exitCode);

signals:
    void done(int exitCode);

private:
    int list();
    void printExplanation();
    void printEvent(qsizetype index);
    void printStep(int index);
    void handleFinished(bool allHeld);
    void report(bool allHeld);

    QTextStream &m_out;
    QTextStream &m_err;
    std::unique_ptr<ScenarioRunner> m_runner;
    QString m_savePath;
    bool m_quiet = false;
    int m_settleMs = Settler::DefaultBoundMs;
    Settler m_settler;
    int m_interruptCode = 0; // the exit code of the signal that ended the run, or 0
};

} // namespace finscope
