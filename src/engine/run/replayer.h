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

#include <QHostAddress>
#include <QList>
#include <QObject>

#include <optional>

namespace finscope {

class Replayer : public QObject
{
    Q_OBJECT
public:
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
    // The runner waiting for the action about to be waited on, for a timeout message.
    QString waitingFor() const;
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
