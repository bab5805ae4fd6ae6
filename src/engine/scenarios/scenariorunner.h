#pragma once

// Runs a Scenario live: a Workbench listening on 127.0.0.1 at a port the OS picks, a client
// connected to it, and one ActionRunner per end (a Conductor). Steps are released in the
// scenario's order, all of them (run) or one at a time (step), and each runs as a blocking
// program would; the facts are judged once every step has finished, or when the time bound ends a
// run that hangs.

#include "engine/run/conductor.h"
#include "engine/scenarios/scenario.h"

#include <QList>
#include <QObject>
#include <QTimer>

namespace finscope {

class QtSocketEndpoint;

class ScenarioRunner : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Preparing, Ready, Stepping, Running, Finished, Failed };
    Q_ENUM(State)
    // Released: handed to its side, which may still be busy with an earlier step of its own.
    enum class StepStatus { Pending, Released, Running, Done };
    Q_ENUM(StepStatus)

    // In run(): the gap after a finished step before the next, so each shows on the timeline.
    static constexpr int PaceMs = 50;
    // In run(): a step still running after this long is taken to block, as a blocking program
    // would, and the next step runs beside it.
    static constexpr int SettleMs = 300;
    // After the last step, for the kernel's late events (LAST_ACK gone, TIME_WAIT, a late RST).
    static constexpr int LingerMs = 300;

    explicit ScenarioRunner(const Scenario &scenario, QObject *parent = nullptr);
    ~ScenarioRunner() override;

    const Scenario &scenario() const { return m_scenario; }
    Workbench *workbench() { return m_conductor.workbench(); }
    Recorder *recorder() { return m_conductor.workbench()->recorder(); }
    const EventStore &events() const { return m_conductor.workbench()->events(); }

    // The bound of run(); the scenario's own unless set.
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    int timeoutMs() const { return m_timeoutMs; }

    // Runs every remaining step in order, bounded by timeoutMs(). Sets up the connection first
    // when needed. May follow some step() calls.
    void run();
    // Releases the next step only; no time bound applies, the presenter sets the pace.
    void step();
    // Ends the run now and judges the facts (a GUI's Stop, or a presenter done stepping).
    void stop();

    State state() const { return m_state; }
    bool isFinished() const { return m_state == State::Finished || m_state == State::Failed; }
    int stepCount() const { return int(m_scenario.steps.size()); }
    // The step step() would release next; stepCount() when all are released.
    int nextStep() const { return m_conductor.releasedCount(); }
    StepStatus stepStatus(int index) const { return m_steps.at(index).status; }

    bool timedOut() const { return m_timedOut; }
    // Why the run ended, as a sentence: every step finished, the bound hit while steps waited...
    QString endReason() const { return m_endReason; }
    const QList<FactVerdict> &verdicts() const { return m_verdicts; }
    bool allHeld() const;
    QString errorString() const { return m_errorString; }

signals:
    void ready(); // both ends are connected and no step has run yet
    void stepStarted(int index);
    void stepFinished(int index);
    void finished(bool allHeld);
    void failed(const QString &reason); // the loopback pair could not be set up

private:
    struct StepRecord
    {
        StepStatus status = StepStatus::Pending;
        qint64 releasedNs = -1;
        qint64 startNs = -1;
        qint64 endNs = -1;
    };

    void prepare();
    void handleServerDescriptor(qintptr fd);
    void checkReady();
    void startRunning();
    void release();
    void advance();
    void pumpQtSocket();
    void handleStarted(int index);
    void handleFinished(int index);
    void checkProgress();
    void finishRun(bool timedOut, const QString &why);
    void fail(const QString &reason);
    qint64 nowNs();

    Scenario m_scenario;
    Conductor m_conductor;
    State m_state = State::Idle;
    int m_timeoutMs;
    QList<StepRecord> m_steps;
    int m_pendingSteps = 0; // step() calls made before the connection was up
    bool m_runRequested = false;

    QtSocketEndpoint *m_qtServer = nullptr;
    QList<int> m_qtQueue; // released steps of the QTcpSocket end, in order
    int m_qtCurrent = -1;

    QTimer m_timeout;
    QTimer m_setupGuard;
    QTimer m_tick;
    QTimer m_linger;
    bool m_timedOut = false;
    QString m_endReason;
    QString m_errorString;
    QList<FactVerdict> m_verdicts;
};

} // namespace finscope
