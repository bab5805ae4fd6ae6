#pragma once

// Runs several connection ends' actions on one Workbench as one plan: an ActionRunner per end, the
// actions of all ends (cues) released in one order across them, and one way to hold an end before
// its next action, so replay's Next and a scenario's Step are the same call (release()). Replay
// and the scenarios both run on it. Ends that connect or are accepted after the plan ended are
// closed, as a program that has exited would.

#include "engine/core/action.h"
#include "engine/run/workbench.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace finscope {

class ActionRunner;

class Conductor : public QObject
{
    Q_OBJECT
public:
    // One action of the plan: the end that runs it, and when a recording started and ended it
    // (endNs -1: not recorded).
    struct Cue
    {
        Side side = Side::Client;
        quint32 conn = 0;
        Action action;
        qint64 tNs = 0;
        qint64 endNs = -1;
        // A send-file sends these bytes instead of reading its file; nullopt: read the file.
        std::optional<QByteArray> recordedBytes = std::nullopt;
    };

    explicit Conductor(QObject *parent = nullptr);
    ~Conductor() override;

    Workbench *workbench() { return &m_workbench; }
    const Workbench *workbench() const { return &m_workbench; }

    // The plan, before any end attaches: the ends in the order given (an end may have no cue),
    // and the cues in the one order they are released in.
    void addEnd(Side side, quint32 conn);
    void addCue(const Cue &cue); // adds its end when new
    QList<std::pair<Side, quint32>> ends() const;
    int cueCount() const { return int(m_cues.size()); }
    const Cue &cue(int index) const { return m_cues.at(index); }

    // An end runs a cue only once it is released, and its own cues in their order.
    void release(); // the next cue in order
    void releaseAll();
    int releasedCount() const { return m_released; }
    // The next cue to release waits at its end: releasing it runs it now. False while that end
    // is busy with an earlier cue, not connected yet, or when every cue is released.
    bool isCueWaiting() const;
    // 0: a released cue runs as soon as its end is free. Otherwise an end also holds each
    // released cue for the recorded gap, divided by speed: from the end of the cue before it on
    // that end (its endNs) to its start, counted from when that cue finished here, so an action
    // that runs faster or slower than it did moves what follows with it. Without a recorded end
    // the cue waits for its recorded moment (tNs after the end's first cue, divided by speed).
    void setSpeed(double speed);

    // A client end connects to host:port now and runs once connected (connectFailed if not).
    Endpoint *connectClient(quint32 conn, const QString &host, quint16 port);
    // Accepted connections (Workbench::serverConnectionAdded) go to the server ends in order;
    // listening stops once each has one. Any other endpoint can be handed to an end here.
    void attach(Side side, quint32 conn, Endpoint *endpoint);
    Endpoint *endpoint(Side side, quint32 conn) const;
    // Every end is attached, and each has run all its cues or its socket is no longer open.
    bool isSettled() const;

    // Ends the plan: nothing more starts (an action running goes on to its end), gaps stop, and
    // ends that connect or are accepted from now on are closed.
    void end();
    bool isEnded() const { return m_ended; }
    // end(), connects in progress abandoned (reason recorded), every end closed.
    void halt(const QString &reason);
    // Stops listening and closes every end still open, each close recorded; with a reason, a
    // connect still under way is abandoned too, the reason recorded with the address it went to.
    void closeAll(const QString &abandonReason = {});

    // What the runners reported as failed expectations (expect-eof, expect-rst).
    QStringList failures() const;
    // The first end still waiting and what for, as the end of a timeout sentence: "client 1 had
    // not started action 2 (shutdown wr)"; empty when nothing waits.
    QString waitingFor() const;
    // The cues that never started (a plan cut short), in release order.
    QList<int> unstartedCues() const;
    // The cue's place among its end's cues, 1-based: "action 2" in what is printed.
    int localNumber(int index) const { return m_cueLocal.value(index) + 1; }

signals:
    void attached(finscope::Side side, quint32 conn);
    // The next cue to release waits at its end (isCueWaiting()): its end got there, or the cue
    // before it was released while its end was already there.
    void cueWaiting(int index);
    void cueStarted(int index);
    void cueFinished(int index);
    // A runner ran its last cue or an end's socket closed: see isSettled().
    void progressed();
    void connectFailed(const QString &reason);

private:
    struct End
    {
        Side side = Side::Client;
        quint32 conn = 0;
        QList<int> cues; // indexes into m_cues, in order
        int released = 0;
        Endpoint *endpoint = nullptr;
        ActionRunner *runner = nullptr;
        QElapsedTimer started;      // when its first cue was let go, for the gaps
        QElapsedTimer lastFinished; // when its cue lastFinishedLocal finished, for the gaps
        int lastFinishedLocal = -1;
        QTimer gapTimer;
    };

    static quint64 endKey(Side side, quint32 conn) { return quint64(side) << 32 | conn; }
    End *findEnd(Side side, quint32 conn) const;
    void handleAccepted(Endpoint *endpoint);
    void handleHeld(End *end, int local);
    void letGo(End *end);
    qint64 gapLeftNs(End *end, int local);

    Workbench m_workbench;
    std::vector<std::unique_ptr<End>> m_ends;
    // Found by hash: a plan of 50,000 connections looked each end up by scanning them all.
    QHash<quint64, End *> m_endIndex;
    QList<End *> m_serverEnds;        // in order: accepted connections go to them in turn
    mutable size_t m_settledEnds = 0; // ends before it are settled for good (isSettled())
    QList<Cue> m_cues;
    QList<int> m_cueLocal;    // each cue's index among its end's cues
    QList<bool> m_cueStarted; // each cue started
    int m_released = 0;
    double m_speed = 0;
    bool m_ended = false;
    qsizetype m_accepted = 0;
};

} // namespace finscope
