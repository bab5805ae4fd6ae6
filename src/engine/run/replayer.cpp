#include "engine/run/replayer.h"

#include "engine/socket/endpoint.h"

#include <algorithm>

namespace finscope {

Replayer::Replayer(const Session &recording, QObject *parent)
    : QObject(parent)
{
    m_recording.endpoints = recording.endpoints;
    m_recording.actions = recording.actions;
    connect(&m_conductor, &Conductor::cueWaiting, this, &Replayer::releaseSteps);
    connect(&m_conductor, &Conductor::cueStarted, this, [this](int index) {
        const Conductor::Cue &cue = m_conductor.cue(index);
        emit actionStarted(cue.side, cue.conn, cue.action.toString());
    });
    connect(&m_conductor, &Conductor::progressed, this, &Replayer::checkFinished);
    connect(&m_conductor, &Conductor::connectFailed, this, &Replayer::fail);
}

Replayer::~Replayer() = default;

void Replayer::setTarget(const QString &host, quint16 port)
{
    m_target = HostPort{host, port};
}

void Replayer::setListenAddress(const QHostAddress &address, quint16 port)
{
    m_listenAddress = address;
    m_listenPort = port;
}

std::optional<Side> Replayer::replayedSide() const
{
    switch (m_mode) {
    case Mode::Client:
        return Side::Client;
    case Mode::Server:
        return Side::Server;
    default:
        return std::nullopt;
    }
}

QString Replayer::target(quint32 conn) const
{
    if (conn < 1 || conn > quint32(m_clients.size()))
        return QString();
    return m_clients.at(conn - 1).second.toString();
}

QList<std::pair<Side, quint32>> Replayer::replayedEnds() const
{
    return m_conductor.ends();
}

bool Replayer::prepare(QString *error)
{
    if (m_prepared)
        return true;
    if (!buildPlan(error))
        return false;
    Workbench *workbench = m_conductor.workbench();
    if (m_mode != Mode::Client && !workbench->listen(m_listenAddress, m_listenPort, error))
        return false;
    if (m_mode == Mode::Both) {
        // A wildcard is no place to connect to: this process's clients reach it on loopback.
        QString host = m_listenAddress.toString();
        if (m_listenAddress == QHostAddress(QHostAddress::Any)
            || m_listenAddress == QHostAddress(QHostAddress::AnyIPv4))
            host = QStringLiteral("127.0.0.1");
        else if (m_listenAddress == QHostAddress(QHostAddress::AnyIPv6))
            host = QStringLiteral("::1");
        for (auto &client : m_clients)
            client.second = HostPort{host, workbench->listenPort()};
    }
    m_prepared = true;
    return true;
}

bool Replayer::buildPlan(QString *error)
{
    // The ends to replay: every recorded connection end, plus any that only has actions.
    QList<std::pair<Side, quint32>> ends;
    const auto addEnd = [&](Side side, quint32 conn) {
        if (conn > 0 && !ends.contains(std::make_pair(side, conn)))
            ends.append({side, conn});
    };
    for (const EndpointRecord &rec : std::as_const(m_recording.endpoints))
        addEnd(rec.side, rec.conn);
    for (const RecordedAction &a : std::as_const(m_recording.actions))
        addEnd(a.side, a.conn);
    std::sort(ends.begin(), ends.end());

    const bool hasClient = m_recording.hasActions(Side::Client);
    const bool hasServer = m_recording.hasActions(Side::Server);
    if (m_mode == Mode::Auto) {
        if (!hasClient && !hasServer) {
            *error = QStringLiteral("the session has no actions to replay");
            return false;
        }
        m_mode = hasClient && hasServer ? Mode::Both : hasClient ? Mode::Client : Mode::Server;
    }
    if ((m_mode == Mode::Client && !hasClient) || (m_mode == Mode::Server && !hasServer)
        || (m_mode == Mode::Both && !(hasClient && hasServer))) {
        *error = QStringLiteral("the session has no %1 actions to replay")
                     .arg(m_mode == Mode::Client   ? QStringLiteral("client")
                          : m_mode == Mode::Server ? QStringLiteral("server")
                                                   : QStringLiteral("client and server"));
        return false;
    }
    const auto replayed
        = [this](Side side) { return m_mode == Mode::Both || replayedSide() == side; };

    // Checked before the plan is built: a bad action leaves nothing half-planned.
    QList<Conductor::Cue> cues;
    for (qsizetype i = 0; i < m_recording.actions.size(); ++i) {
        const RecordedAction &a = m_recording.actions.at(i);
        if (!replayed(a.side) || !ends.contains(std::make_pair(a.side, a.conn)))
            continue;
        QString why;
        const auto action = Action::parse(a.text, &why);
        if (!action) {
            *error = QStringLiteral("actions[%1]: %2").arg(i).arg(why);
            return false;
        }
        cues.append({a.side, a.conn, *action, a.tNs, a.endNs});
    }

    for (const auto &[side, conn] : std::as_const(ends)) {
        if (!replayed(side))
            continue;
        if (side == Side::Server)
            continue;
        if (m_target || m_mode == Mode::Both) {
            // Both: the fresh port, once listening.
            m_clients.append({conn, m_target.value_or(HostPort())});
            continue;
        }
        QString why;
        const auto where = HostPort::parse(m_recording.recordedTarget(side, conn), false, &why);
        if (!where) {
            *error = QStringLiteral("client %1: the session records no address to connect to; "
                                    "give a target")
                         .arg(conn);
            return false;
        }
        m_clients.append({conn, *where});
    }

    for (const auto &[side, conn] : std::as_const(ends)) {
        if (replayed(side))
            m_conductor.addEnd(side, conn);
    }
    for (const Conductor::Cue &cue : std::as_const(cues))
        m_conductor.addCue(cue);
    return true;
}

void Replayer::start()
{
    if (m_started || !m_prepared)
        return;
    m_started = true;
    if (m_stepping) {
        m_conductor.setSpeed(0);
    } else {
        m_conductor.setSpeed(m_speed);
        m_conductor.releaseAll();
    }
    for (const auto &[conn, where] : std::as_const(m_clients))
        m_conductor.connectClient(conn, where.host, where.port);
    checkFinished(); // a server replay with no connections to wait for
}

void Replayer::next()
{
    if (m_finished)
        return;
    ++m_stepCredits;
    releaseSteps();
}

bool Replayer::isWaitingForNext() const
{
    return !m_finished && m_stepping && m_announced == m_conductor.releasedCount()
           && m_stepCredits == 0;
}

void Replayer::halt()
{
    if (m_finished)
        return;
    m_finished = true;
    m_halted = true;
    m_stepping = false;
    m_conductor.halt(QStringLiteral("the replay was stopped"));
    emit finished(true);
}

void Replayer::stopStepping()
{
    if (!m_stepping)
        return;
    // The recorded gaps no longer line up with anything once a person has paused the replay.
    m_stepping = false;
    m_speed = 0;
    m_conductor.setSpeed(0);
    m_conductor.releaseAll();
}

// Stepping runs the actions in the order the recording started them: the next one runs once its
// end is ready for it and next() was called for it. Calls made before it is ready count; a
// release that finds the following action already waiting comes back here (cueWaiting).
void Replayer::releaseSteps()
{
    if (!m_stepping || m_finished || !m_conductor.isCueWaiting())
        return;
    const int index = m_conductor.releasedCount();
    if (m_stepCredits == 0) {
        if (m_announced != index) {
            m_announced = index;
            const Conductor::Cue &cue = m_conductor.cue(index);
            emit actionPending(cue.side, cue.conn, cue.action.toString());
        }
        return;
    }
    --m_stepCredits;
    m_conductor.release();
}

QStringList Replayer::failures() const
{
    return m_conductor.failures();
}

QString Replayer::waitingFor() const
{
    return m_conductor.waitingFor();
}

void Replayer::checkFinished()
{
    if (m_finished || !m_started || !m_conductor.isSettled())
        return;
    m_finished = true;
    m_conductor.end();
    m_conductor.closeAll();
    emit finished(true);
}

void Replayer::closeAll(const QString &abandonReason)
{
    m_conductor.closeAll(abandonReason);
}

void Replayer::fail(const QString &reason)
{
    if (m_finished)
        return;
    m_finished = true;
    m_errorString = reason;
    m_conductor.end();
    m_conductor.closeAll();
    emit finished(false);
}

} // namespace finscope
