#include "engine/run/replayer.h"

#include "engine/run/actionrunner.h"
#include "engine/socket/endpoint.h"

#include <QSet>

#include <algorithm>
#include <limits>

namespace finscope {

namespace {

quint64 endKey(Side side, quint32 conn)
{
    return quint64(side) << 32 | conn;
}

} // namespace

Replayer::Replayer(const Session &recording, QObject *parent)
    : QObject(parent)
{
    m_recording.endpoints = recording.endpoints;
    m_recording.actions = recording.actions;
    keepFileBytes(recording);
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

QList<Endpoint *> Replayer::endpoints() const
{
    QList<Endpoint *> result;
    for (const auto &[side, conn] : m_conductor.ends()) {
        if (Endpoint *endpoint = m_conductor.endpoint(side, conn))
            result.append(endpoint);
    }
    return result;
}

// Which bytes each recorded send-file sent: the send events on its end from its start to its end
// (to the next action's start when the file did not record an end), read from the payload the
// session kept. Done here because the recording's events are not kept.
void Replayer::keepFileBytes(const Session &recording)
{
    struct Window
    {
        qsizetype action;
        qint64 from;
        qint64 to;
        bool toIncluded;
        qint64 start = -1;
        qint64 end = -1;
    };
    QHash<quint64, QList<Window>> windows;
    QHash<quint64, qsizetype> open; // an end's window that closes at its next action's start
    for (qsizetype i = 0; i < recording.actions.size(); ++i) {
        const RecordedAction &a = recording.actions.at(i);
        const quint64 key = endKey(a.side, a.conn);
        if (const auto it = open.constFind(key); it != open.cend()) {
            windows[key][*it].to = a.tNs;
            open.erase(it);
        }
        const auto action = a.text.startsWith(QLatin1StringView("send-file"))
                                ? Action::parse(a.text, nullptr)
                                : std::nullopt;
        if (!action || action->kind != Action::Kind::SendFile)
            continue;
        QList<Window> &list = windows[key];
        if (a.endNs < 0)
            open.insert(key, list.size());
        list.append(
            {i, a.tNs, a.endNs >= 0 ? a.endNs : std::numeric_limits<qint64>::max(), a.endNs >= 0});
    }
    if (windows.isEmpty())
        return;
    // An end's actions run one after another, so its windows do not overlap: each send event
    // belongs to the last window that opened before it (found by halving, since a crafted file
    // can hold any number of send-files on one end).
    for (QList<Window> &list : windows) {
        std::stable_sort(list.begin(), list.end(), [](const Window &a, const Window &b) {
            return a.from < b.from;
        });
    }
    for (const Event &e : recording.events.events()) {
        if (e.kind != EventKind::Send)
            continue;
        const auto it = windows.find(endKey(e.side, e.conn));
        if (it == windows.end())
            continue;
        const auto after = std::upper_bound(
            it->begin(), it->end(), e.tNs, [](qint64 t, const Window &w) { return t < w.from; });
        if (after == it->begin())
            continue;
        Window &w = *std::prev(after);
        if (e.tNs > w.to || (e.tNs == w.to && !w.toIncluded))
            continue;
        w.start = w.start < 0 ? e.offset : std::min(w.start, e.offset);
        w.end = std::max(w.end, e.offset + e.bytes);
    }
    for (auto it = windows.cbegin(); it != windows.cend(); ++it) {
        for (const Window &w : it.value()) {
            const RecordedAction &a = recording.actions.at(w.action);
            std::pair<qint64, QByteArray> sent{0, {}};
            if (w.start >= 0) {
                sent.first = w.end - w.start;
                const PayloadStream *stream
                    = recording.events.payloadStream(a.side, a.conn, Direction::Sent);
                const qint64 held = stream ? stream->data.size() : 0;
                if (w.start < held)
                    sent.second = stream->data.mid(w.start, std::min(w.end, held) - w.start);
            }
            m_fileBytes.insert(w.action, sent);
        }
    }
}

QString Replayer::remoteTargetRefusal() const
{
    return QStringLiteral("the session sends %1, which %2 not this machine")
        .arg(m_remoteTargets.join(QStringLiteral(", ")),
             m_remoteTargets.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"));
}

QStringList Replayer::notStarted() const
{
    QStringList out;
    for (const int index : m_conductor.unstartedCues()) {
        const Conductor::Cue &cue = m_conductor.cue(index);
        out << QStringLiteral("%1 %2 action %3 (%4)")
                   .arg(sideName(cue.side))
                   .arg(cue.conn)
                   .arg(m_conductor.localNumber(index))
                   .arg(cue.action.toString());
    }
    return out;
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
    // By hash: 50,000 recorded connections took seconds to plan when each was searched for.
    QList<std::pair<Side, quint32>> ends;
    QSet<quint64> known;
    const auto addEnd = [&](Side side, quint32 conn) {
        if (conn > 0 && !known.contains(endKey(side, conn))) {
            known.insert(endKey(side, conn));
            ends.append({side, conn});
        }
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
    QList<FileSend> fileSends;
    QList<Action> fileActions;
    for (qsizetype i = 0; i < m_recording.actions.size(); ++i) {
        const RecordedAction &a = m_recording.actions.at(i);
        if (!replayed(a.side) || !known.contains(endKey(a.side, a.conn)))
            continue;
        QString why;
        const auto action = Action::parse(a.text, &why);
        if (!action) {
            *error = QStringLiteral("actions[%1]: %2").arg(i).arg(why);
            return false;
        }
        Conductor::Cue cue{a.side, a.conn, *action, a.tNs, a.endNs, std::nullopt};
        if (action->kind == Action::Kind::SendFile) {
            const auto sent = m_fileBytes.value(i);
            fileSends.append({a.side, a.conn, action->path, sent.first, sent.second.size()});
            fileActions.append(*action);
            if (!m_allowFiles)
                cue.recordedBytes = sent.second;
        }
        cues.append(cue);
    }
    // Read only with the user's word, and then checked before anything connects.
    if (m_allowFiles && !ActionRunner::checkFiles(fileActions, error))
        return false;

    QHash<quint32, qsizetype> clientRecords;
    for (qsizetype i = m_recording.endpoints.size() - 1; i >= 0; --i) {
        if (m_recording.endpoints.at(i).side == Side::Client)
            clientRecords.insert(m_recording.endpoints.at(i).conn, i);
    }
    QList<std::pair<quint32, HostPort>> clients;
    QStringList remote;

    for (const auto &[side, conn] : std::as_const(ends)) {
        if (!replayed(side))
            continue;
        if (side == Side::Server)
            continue;
        if (m_target || m_mode == Mode::Both) {
            // Both: the fresh port, once listening.
            clients.append({conn, m_target.value_or(HostPort())});
            continue;
        }
        QString why;
        const qsizetype record = clientRecords.value(conn, -1);
        const auto where = HostPort::parse(
            record < 0 ? QString() : Session::recordedTarget(m_recording.endpoints.at(record)),
            false,
            &why);
        if (!where) {
            *error = QStringLiteral("client %1: the session records no address to connect to; "
                                    "give a target")
                         .arg(conn);
            return false;
        }
        // Only the text is looked at: a name is not resolved before the user agrees.
        if (!HostPort::isLoopback(where->host))
            remote << QStringLiteral("client %1 to %2").arg(conn).arg(where->toString());
        clients.append({conn, *where});
    }
    m_clients = clients;
    m_fileSends = fileSends;
    m_remoteTargets = remote;

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
    if (!m_remoteTargets.isEmpty() && !m_allowRemoteTargets) {
        // Nothing connects: the front end was to ask first (the CLI refuses before it gets here).
        QMetaObject::invokeMethod(
            this,
            [this] {
                fail(remoteTargetRefusal() + QStringLiteral(", and going there was not allowed"));
            },
            Qt::QueuedConnection);
        return;
    }
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
