#include "engine/scenarios/scenariorunner.h"

#include "engine/socket/qtsocketendpoint.h"

namespace finscope {

namespace {

constexpr int SetupTimeoutMs = 10000;
constexpr int TickMs = 10;
constexpr qint64 Ms = 1'000'000;

QString stepLabel(const Scenario &scenario, int index)
{
    const ScenarioStep &step = scenario.steps.at(index);
    return QStringLiteral("step %1 (%2 %3)")
        .arg(index + 1)
        .arg(sideName(step.side), step.action.toString());
}

} // namespace

ScenarioRunner::ScenarioRunner(const Scenario &scenario, QObject *parent)
    : QObject(parent)
    , m_scenario(scenario)
    , m_timeoutMs(scenario.timeoutMs)
    , m_steps(scenario.steps.size())
{
    recorder()->setTool(QStringLiteral("finscope scenario %1").arg(scenario.id));
    // One client and one server end, their steps released in the scenario's order.
    m_conductor.addEnd(Side::Client, 1);
    m_conductor.addEnd(Side::Server, 1);
    for (const ScenarioStep &step : std::as_const(m_scenario.steps))
        m_conductor.addCue({step.side, 1, step.action, 0});
    connect(&m_conductor, &Conductor::attached, this, &ScenarioRunner::checkReady);
    connect(&m_conductor, &Conductor::cueStarted, this, &ScenarioRunner::handleStarted);
    connect(&m_conductor, &Conductor::cueFinished, this, &ScenarioRunner::handleFinished);
    connect(&m_conductor, &Conductor::connectFailed, this, &ScenarioRunner::fail);
    m_timeout.setSingleShot(true);
    m_timeout.setTimerType(Qt::PreciseTimer); // the bound a scenario's facts are read against
    connect(&m_timeout, &QTimer::timeout, this, [this] { finishRun(true, QString()); });
    m_setupGuard.setSingleShot(true);
    connect(&m_setupGuard, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("the loopback connection was not up within %1 s")
                 .arg(SetupTimeoutMs / 1000));
    });
    m_tick.setInterval(TickMs);
    connect(&m_tick, &QTimer::timeout, this, &ScenarioRunner::advance);
    m_linger.setSingleShot(true);
    m_linger.setTimerType(Qt::PreciseTimer);
    connect(&m_linger, &QTimer::timeout, this, [this] {
        finishRun(false, QStringLiteral("every step finished"));
    });
}

ScenarioRunner::~ScenarioRunner()
{
    // A window may throw a run away while it runs: the QTcpSocket end uses the workbench's
    // recorder and clock, so it goes before the workbench does.
    m_tick.stop();
    delete m_qtServer;
}

qint64 ScenarioRunner::nowNs()
{
    return recorder()->clock()->nowNs();
}

bool ScenarioRunner::allHeld() const
{
    if (m_state != State::Finished)
        return false;
    for (const FactVerdict &verdict : m_verdicts) {
        if (!verdict.held)
            return false;
    }
    return true;
}

void ScenarioRunner::run()
{
    if (isFinished() || m_state == State::Running)
        return;
    m_runRequested = true;
    // The bound covers the setup too: a run that cannot connect still ends.
    m_timeout.start(m_timeoutMs);
    if (m_state == State::Idle)
        prepare();
    else if (m_state == State::Ready || m_state == State::Stepping)
        startRunning();
}

void ScenarioRunner::step()
{
    if (isFinished() || m_state == State::Running)
        return;
    if (m_state == State::Idle || m_state == State::Preparing) {
        ++m_pendingSteps;
        if (m_state == State::Idle)
            prepare();
        return;
    }
    m_state = State::Stepping;
    if (nextStep() < stepCount())
        release();
    checkProgress();
}

void ScenarioRunner::stop()
{
    if (isFinished())
        return;
    if (m_state == State::Idle || m_state == State::Preparing) {
        fail(QStringLiteral("stopped before the connection was up"));
        return;
    }
    finishRun(false, QStringLiteral("stopped"));
}

// --- setting up the loopback pair -------------------------------------------------------------

void ScenarioRunner::prepare()
{
    m_state = State::Preparing;
    m_setupGuard.start(SetupTimeoutMs);
    Workbench *bench = workbench();
    if (m_scenario.serverSocket == Scenario::ServerSocket::QtSocket) {
        // The server's end is a QTcpSocket run here, not one of the conductor's runners.
        bench->setAcceptIntoEndpoints(false);
        connect(
            bench, &Workbench::descriptorAccepted, this, &ScenarioRunner::handleServerDescriptor);
    }
    QString error;
    if (!bench->listen(QHostAddress::LocalHost, 0, &error)) {
        fail(error);
        return;
    }
    m_conductor.connectClient(1, QStringLiteral("127.0.0.1"), bench->listenPort());
}

void ScenarioRunner::handleServerDescriptor(qintptr fd)
{
    if (m_qtServer || isFinished()) {
        native::close(int(fd));
        return;
    }
    // The listener forgets its address once it stops: read it first.
    const QString listenAddress = workbench()->listenAddress();
    workbench()->stopListening();
    m_qtServer = new QtSocketEndpoint(Side::Server, 1, recorder()->clock(), this);
    recorder()->attach(m_qtServer, listenAddress);
    connect(m_qtServer, &QtSocketEndpoint::actionFinished, this, [this] {
        const int index = m_qtCurrent;
        m_qtCurrent = -1;
        if (index >= 0)
            handleFinished(index);
        pumpQtSocket();
    });
    if (!m_qtServer->adoptDescriptor(fd)) {
        fail(QStringLiteral("QTcpSocket could not take the accepted socket"));
        return;
    }
    checkReady();
}

void ScenarioRunner::checkReady()
{
    const Endpoint *client = m_conductor.endpoint(Side::Client, 1);
    if (m_state != State::Preparing || !client || !client->isOpen()
        || (!m_conductor.endpoint(Side::Server, 1) && !m_qtServer)) {
        return;
    }
    m_setupGuard.stop();
    m_state = State::Ready;
    emit ready();
    if (m_runRequested) {
        startRunning();
        return;
    }
    for (; m_pendingSteps > 0; --m_pendingSteps)
        step();
}

// --- releasing steps --------------------------------------------------------------------------

void ScenarioRunner::startRunning()
{
    m_state = State::Running;
    m_tick.start();
    advance();
}

void ScenarioRunner::release()
{
    const int index = nextStep();
    StepRecord &rec = m_steps[index];
    rec.status = StepStatus::Released;
    rec.releasedNs = nowNs();
    m_conductor.release();
    if (m_scenario.steps.at(index).side == Side::Server && m_qtServer) {
        m_qtQueue.append(index);
        pumpQtSocket();
    }
}

// In run(): releases the next step once the last one has finished (after the pace), or has
// blocked for SettleMs, or waits behind an earlier step of its own side.
void ScenarioRunner::advance()
{
    if (m_state != State::Running)
        return;
    if (const int released = nextStep(); released < stepCount()) {
        const qint64 now = nowNs();
        bool go = released == 0;
        if (!go) {
            const StepRecord &last = m_steps.at(released - 1);
            switch (last.status) {
            case StepStatus::Done:
                go = now - last.endNs >= PaceMs * Ms;
                break;
            case StepStatus::Running:
                go = now - last.startNs >= SettleMs * Ms;
                break;
            case StepStatus::Released:
                go = now - last.releasedNs >= PaceMs * Ms;
                break;
            case StepStatus::Pending:
                break;
            }
        }
        if (go)
            release();
    }
    checkProgress();
}

void ScenarioRunner::pumpQtSocket()
{
    if (m_qtCurrent >= 0 || m_qtQueue.isEmpty() || isFinished())
        return;
    m_qtCurrent = m_qtQueue.takeFirst();
    const Action &action = m_scenario.steps.at(m_qtCurrent).action;
    handleStarted(m_qtCurrent);
    recorder()->recordAction(Side::Server, 1, action);
    m_qtServer->run(action);
}

void ScenarioRunner::handleStarted(int index)
{
    if (isFinished())
        return;
    StepRecord &rec = m_steps[index];
    rec.status = StepStatus::Running;
    rec.startNs = nowNs();
    emit stepStarted(index);
}

void ScenarioRunner::handleFinished(int index)
{
    if (isFinished())
        return;
    StepRecord &rec = m_steps[index];
    rec.status = StepStatus::Done;
    rec.endNs = nowNs();
    emit stepFinished(index);
    checkProgress();
}

void ScenarioRunner::checkProgress()
{
    if (isFinished() || nextStep() < stepCount() || m_linger.isActive())
        return;
    for (const StepRecord &rec : std::as_const(m_steps)) {
        if (rec.status != StepStatus::Done)
            return;
    }
    m_tick.stop();
    m_linger.start(LingerMs);
}

// --- the end ----------------------------------------------------------------------------------

void ScenarioRunner::finishRun(bool timedOut, const QString &why)
{
    if (isFinished())
        return;
    m_timeout.stop();
    m_tick.stop();
    m_linger.stop();
    m_setupGuard.stop();
    if (m_state == State::Preparing) {
        fail(QStringLiteral("the loopback connection was not up within %1 s")
                 .arg(double(m_timeoutMs) / 1000));
        return;
    }
    m_timedOut = timedOut;
    m_state = State::Finished;
    // Nothing more runs: what the facts judge is what the steps did.
    m_conductor.end();
    m_qtQueue.clear();

    if (timedOut) {
        QStringList waiting;
        QStringList notStarted;
        for (int i = 0; i < stepCount(); ++i) {
            if (m_steps.at(i).status == StepStatus::Running)
                waiting << stepLabel(m_scenario, i);
            else if (m_steps.at(i).status != StepStatus::Done)
                notStarted << QString::number(i + 1);
        }
        m_endReason = QStringLiteral("ended by the %1 s time bound")
                          .arg(double(m_timeoutMs) / 1000, 0, 'g', 3);
        if (!waiting.isEmpty())
            m_endReason
                += QStringLiteral("; still waiting: %1").arg(waiting.join(QStringLiteral(", ")));
        if (!notStarted.isEmpty())
            m_endReason += QStringLiteral("; never started: step %1")
                               .arg(notStarted.join(QStringLiteral(", ")));
        m_endReason += m_scenario.endsByTimeout
                           ? QStringLiteral(" (expected: this is the hang the scenario shows)")
                           : QStringLiteral(" (not expected: the programs should have finished)");
    } else {
        m_endReason = why;
    }

    ScenarioOutcome outcome;
    outcome.session = &recorder()->session();
    outcome.timedOut = timedOut;
    for (const StepRecord &rec : std::as_const(m_steps)) {
        outcome.stepStartNs.append(rec.startNs);
        outcome.stepEndNs.append(rec.status == StepStatus::Done ? rec.endNs : -1);
    }
    m_verdicts = m_scenario.evaluate(outcome);

    // Judged; now end what is still open, as the process ending would, and record it.
    m_conductor.closeAll();
    if (m_qtServer && m_qtServer->isOpen())
        m_qtServer->run(*Action::parse(QStringLiteral("close"), nullptr));
    emit finished(allHeld());
}

void ScenarioRunner::fail(const QString &reason)
{
    if (isFinished())
        return;
    m_timeout.stop();
    m_tick.stop();
    m_linger.stop();
    m_setupGuard.stop();
    m_state = State::Failed;
    m_errorString = reason;
    m_endReason = reason;
    // Nothing of a failed setup may live on: a late accept or connect would keep recording.
    m_conductor.halt(reason);
    if (m_qtServer && m_qtServer->isOpen()) {
        if (const auto close = Action::parse(QStringLiteral("close"), nullptr))
            m_qtServer->run(*close);
    }
    emit failed(reason);
    emit finished(false);
}

} // namespace finscope
