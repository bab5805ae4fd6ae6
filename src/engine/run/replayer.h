#pragma once

// Re-runs a recorded session's actions on live sockets and records what happens now, so the two
// can be compared (SessionComparison). Either both sides run here on a fresh loopback port, or only
// the client (against a live server) or only the server (for a live client). Each connection end
// runs its actions in order, waiting as ActionRunner waits; between them the recorded gaps are
// kept, scaled by a speed factor, or each action waits for next() (stepping). The Conductor runs
// the plan.

#include "engine/core/hostport.h"
#include "engine/run/conductor.h"
#include "engine/session/session.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>

#include <optional>

namespace finscope {

class Replayer : public QObject
{
    Q_OBJECT
public:
    // A recorded send-file, and what the replay sends for it.
    struct FileSend
    {
        Side side = Side::Client;
        quint32 conn = 0;
        QString path;
        qint64 recordedBytes = 0; // what the recording sent for it
        qint64 keptBytes = 0; // of those, what the session holds (sent unless files are allowed)
    };

    enum class Mode {
        Auto,   // Both when the recording has actions for both sides, else the side it has
        Both,   // client and server in this process, on a fresh port
        Client, // the recorded clients against a live server
        Server, // the recorded server connections, for live clients
    };
    Q_ENUM(Mode)

    explicit Replayer(const Session &recording, QObject *parent = nullptr);
    ~Replayer() override;

    void setMode(Mode mode) { m_mode = mode; }
    // Client mode: where to connect. Default: each recorded client's target (else its peer).
    void setTarget(const QString &host, quint16 port);
    // Server and Both modes: where to listen. Default 127.0.0.1, port 0 (the OS picks).
    void setListenAddress(const QHostAddress &address, quint16 port);
    // 1 keeps the recorded gaps, 2 halves them; 0 runs each action as soon as the one before it
    // on the same end has finished.
    void setSpeed(double speed) { m_speed = speed; }
    // Each action waits for next(), in the order the recording started them.
    void setStepping(bool stepping) { m_stepping = stepping; }
    // A recorded send-file reads its file on this machine (checked by prepare()) instead of
    // sending the bytes the recording holds: the user's word, since the session names the path.
    void setAllowFiles(bool allow) { m_allowFiles = allow; }
    bool allowFiles() const { return m_allowFiles; }
    // Client mode without setTarget(): lets start() connect to recorded targets that are not
    // this machine (remoteTargets()). Without it start() refuses them and connects nowhere.
    void setAllowRemoteTargets(bool allow) { m_allowRemoteTargets = allow; }

    // Checks the recording's actions, settles the mode and listens (Server, Both). Afterwards
    // mode(), target() and listenAddress() say where the replay will go, before anything
    // connects. On failure returns false and sets *error to a sentence.
    bool prepare(QString *error);
    Mode mode() const { return m_mode; }
    // The side replayed, or nullopt for both: what a comparison should look at.
    std::optional<Side> replayedSide() const;
    // "127.0.0.1:5555": where client conn (1-based) will connect; empty in Server mode.
    QString target(quint32 conn = 1) const;
    QString listenAddress() const { return m_conductor.workbench()->listenAddress(); }
    // The recorded connection ends that will be replayed, in order.
    QList<std::pair<Side, quint32>> replayedEnds() const;
    // The endpoints the replay made so far, for settling before a command-line run exits.
    QList<Endpoint *> endpoints() const;
    // After prepare(): every send-file the replay would run, in order.
    const QList<FileSend> &fileSends() const { return m_fileSends; }
    // After prepare(): "client 1 to example.com:80" for each client whose recorded target is
    // not loopback (HostPort::isLoopback); nothing has been looked up or connected.
    const QStringList &remoteTargets() const { return m_remoteTargets; }
    // The refusal start() gives while remoteTargets() are not allowed, one sentence.
    QString remoteTargetRefusal() const;

    // Connects the clients (after prepare()); finished() follows.
    void start();
    // Stepping: lets the next action in recorded order run. Calls made before it is announced
    // count (typed-ahead Enters in the CLI); a GUI offers Next only while isWaitingForNext().
    void next();
    // Stepping: an action was announced (actionPending) and waits for next().
    bool isWaitingForNext() const;
    // Runs the remaining actions without waiting for next() or for recorded gaps (stdin closed).
    void stopStepping();

    bool isFinished() const { return m_finished; }
    // Empty unless the replay could not run: a refused connection, an unreachable host.
    QString errorString() const { return m_errorString; }
    // What the runners reported as failed expectations (expect-eof, expect-rst).
    QStringList failures() const;
    // The replay so far; complete once finished() was emitted.
    const Session &session() const { return m_conductor.workbench()->recorder()->session(); }
    Workbench *workbench() { return m_conductor.workbench(); }
    // The end still waiting and what for, to end a timeout sentence: "client 1 had not started
    // action 2 (shutdown wr)"; empty when nothing waits.
    QString waitingFor() const;
    // The actions that never started, "client 1 action 2 (shutdown wr)", in recorded order: what
    // a replay cut short did not run.
    QStringList notStarted() const;
    // Closes every end still open (recorded as close events), as a program that exits would; with
    // a reason, a connect under way is abandoned with it (the address and the reason recorded).
    void closeAll(const QString &abandonReason = {});
    // Ends the replay now (a person pressing Stop): no further action runs, connects still in
    // progress are abandoned, every open end is closed, and finished(true) follows at once.
    void halt();
    bool wasHalted() const { return m_halted; }

signals:
    // Stepping: the action that next() will let run.
    void actionPending(finscope::Side side, quint32 conn, const QString &action);
    void actionStarted(finscope::Side side, quint32 conn, const QString &action);
    // ok is false when a connection could not be made (errorString() says why).
    void finished(bool ok);

private:
    bool buildPlan(QString *error);
    void keepFileBytes(const Session &recording);
    void releaseSteps();
    void checkFinished();
    void fail(const QString &reason);

    // Only what replay needs: a recording's events can run to millions.
    Session m_recording;
    Mode m_mode = Mode::Auto;
    std::optional<HostPort> m_target;
    QHostAddress m_listenAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 m_listenPort = 0;
    double m_speed = 1.0;
    bool m_stepping = false;
    bool m_allowFiles = false;
    bool m_allowRemoteTargets = false;
    QList<FileSend> m_fileSends;
    // What each recorded send-file (by action index) sent, and the bytes of it the session holds.
    QHash<qsizetype, std::pair<qint64, QByteArray>> m_fileBytes;
    QStringList m_remoteTargets;
    int m_stepCredits = 0;
    int m_announced = -1; // stepping: the last cue actionPending() was emitted for
    bool m_prepared = false;
    bool m_started = false;
    bool m_finished = false;
    bool m_halted = false;
    QString m_errorString;
    QList<std::pair<quint32, HostPort>> m_clients; // each replayed client end and where it goes
    Conductor m_conductor;
};

} // namespace finscope
