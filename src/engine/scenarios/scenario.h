#pragma once

// A guided demonstration of TCP teardown: both ends run live on loopback in one process, step by
// step in a scripted order across the two sides, and the facts say what this kernel must show.

#include "engine/core/action.h"
#include "engine/core/event.h"
#include "engine/scenarios/scenariofact.h"

#include <QList>
#include <QString>

namespace finscope {

// One thing a presenter does: an action on one end, with the sentence that goes with it.
struct ScenarioStep
{
    Side side = Side::Client;
    Action action;
    QString caption; // "the client half-closes: its FIN follows the request"
};

struct Scenario
{
    // Which object holds the server's end of the connection.
    enum class ServerSocket { Native, QtSocket };

    QString id;          // "half-close-request-response"
    QString title;       // one line for a list
    QString explanation; // what to watch, why it happens, what tutorials get wrong
    QList<ScenarioStep> steps;
    QList<ScenarioFact> facts;
    int timeoutMs = 10000;      // the bound of a run
    bool endsByTimeout = false; // a hang: the programs never finish, the bound ends the run
    ServerSocket serverSocket = ServerSocket::Native;

    // The actions of one side in step order.
    QList<Action> actions(Side side) const;
    // The facts a run is judged by: how the run must end (on its own, or by the bound), then
    // the scenario's own facts.
    QList<ScenarioFact> allFacts() const;
    QList<FactVerdict> evaluate(const ScenarioOutcome &outcome) const;
};

} // namespace finscope
