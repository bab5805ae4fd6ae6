#include "scenariocommand.h"

#include "clicommand.h"
#include "engine/scenarios/scenariocatalog.h"
#include "engine/scenarios/scenariorunner.h"
#include "engine/session/eventformat.h"

#include <QCoreApplication>

namespace finscope {

namespace {

constexpr qsizetype Width = 100;

// Word-wraps a paragraph for an 80-to-100-column terminal.
QString wrap(const QString &text, const QString &indent)
{
    QString out;
    QString line;
    for (const QString &word : text.split(u' ', Qt::SkipEmptyParts)) {
        if (!line.isEmpty() && indent.size() + line.size() + 1 + word.size() > Width) {
            out += indent + line + u'\n';
            line.clear();
        }
        line += line.isEmpty() ? word : u' ' + word;
    }
    if (!line.isEmpty())
        out += indent + line + u'\n';
    return out;
}

} // namespace

ScenarioCommand::ScenarioCommand(QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent)
    , m_out(out)
    , m_err(err)
{}

ScenarioCommand::~ScenarioCommand() = default;

std::optional<int> ScenarioCommand::start(const QStringList &args,
                                          const QString &savePath,
                                          std::optional<qint64> timeoutMs,
                                          bool quiet)
{
    const QString verb = args.value(0);
    if (verb == QLatin1StringView("list") && args.size() == 1)
        return list();
    if (verb != QLatin1StringView("run") || args.size() != 2) {
        m_err << "finscope-cli: scenario takes 'list' or 'run ID'\n";
        return ExitUsage;
    }
    const auto scenario = ScenarioCatalog::find(args.at(1));
    if (!scenario) {
        m_err << "finscope-cli: unknown scenario '" << args.at(1)
              << "'; 'finscope-cli scenario list' lists them\n";
        return ExitUsage;
    }
    m_savePath = savePath;
    m_quiet = quiet;
    m_runner = std::make_unique<ScenarioRunner>(*scenario);
    m_runner->recorder()->setTool(QStringLiteral("finscope-cli %1 scenario %2")
                                      .arg(QCoreApplication::applicationVersion(), scenario->id));
    if (timeoutMs)
        m_runner->setTimeoutMs(int(*timeoutMs));
    connect(m_runner->recorder(), &Recorder::eventAdded, this, &ScenarioCommand::printEvent);
    connect(m_runner.get(), &ScenarioRunner::stepStarted, this, &ScenarioCommand::printStep);
    connect(m_runner.get(), &ScenarioRunner::finished, this, &ScenarioCommand::handleFinished);
    printExplanation();
    m_runner->run();
    return std::nullopt;
}

int ScenarioCommand::list()
{
    const QList<Scenario> all = ScenarioCatalog::all();
    qsizetype width = 0;
    for (const Scenario &s : all)
        width = std::max(width, s.id.size());
    for (const Scenario &s : all)
        m_out << s.id.leftJustified(width + 2) << s.title << "\n";
    m_out.flush();
    return ExitOk;
}

void ScenarioCommand::printExplanation()
{
    const Scenario &s = m_runner->scenario();
    m_out << "scenario " << s.id << ": " << s.title << "\n\n" << wrap(s.explanation, QString());
    m_out << "\nsteps:\n";
    for (int i = 0; i < s.steps.size(); ++i) {
        const ScenarioStep &step = s.steps.at(i);
        m_out << QStringLiteral("  %1. %2  %3")
                     .arg(i + 1, 2)
                     .arg(sideName(step.side), step.action.toString())
              << "  -- " << step.caption << "\n";
    }
    m_out << "bounded by " << double(m_runner->timeoutMs()) / 1000 << " s"
          << (s.endsByTimeout ? " (this one hangs: the bound ends it)" : "") << "\n\n"
          << Qt::flush;
}

void ScenarioCommand::printStep(int index)
{
    const ScenarioStep &step = m_runner->scenario().steps.at(index);
    m_out << QStringLiteral("--- step %1/%2  %3  %4  -- %5")
                 .arg(index + 1)
                 .arg(m_runner->stepCount())
                 .arg(sideName(step.side), step.action.toString(), step.caption)
          << Qt::endl;
}

void ScenarioCommand::printEvent(qsizetype index)
{
    if (m_quiet)
        return;
    const EventStore &store = m_runner->events();
    m_out << formatEvent(store.at(index), store) << Qt::endl;
}

void ScenarioCommand::interrupt(int exitCode)
{
    if (!m_runner)
        return;
    if (m_runner->isFinished()) {
        if (m_settler.isWaiting()) {
            // Settling after the last step: stop waiting, report and save with the signal's code.
            m_interruptCode = exitCode;
            m_settler.abandon();
        }
        return;
    }
    m_interruptCode = exitCode;
    m_runner->stop(); // finished() follows at once
}

void ScenarioCommand::handleFinished(bool allHeld)
{
    // The facts are judged; the record still takes the kernel's last word on each closed end.
    // An interruption ends now: no settling.
    Workbench *workbench = m_runner->workbench();
    connect(&m_settler, &Settler::done, this, [this, allHeld] { report(allHeld); });
    m_settler.settle(workbench->clients() + workbench->serverConnections(),
                     m_interruptCode ? 0 : m_settleMs);
}

void ScenarioCommand::report(bool allHeld)
{
    disconnect(m_runner->recorder(), nullptr, this, nullptr);
    if (m_runner->state() == ScenarioRunner::State::Failed) {
        m_err << "finscope-cli: " << m_runner->errorString() << Qt::endl;
        emit done(m_interruptCode ? m_interruptCode : ExitInvalid);
        return;
    }
    m_out << "\nend: " << m_runner->endReason() << "\n";
    for (const FactVerdict &v : m_runner->verdicts()) {
        if (v.held)
            m_out << "ok   " << v.sentence << " (" << v.observed << ")\n";
        else
            m_out << "FAIL " << v.sentence << ": observed " << v.observed << "\n";
    }
    int exitCode = m_interruptCode ? m_interruptCode : allHeld ? ExitOk : ExitFailed;
    if (!m_savePath.isEmpty()) {
        QString error;
        if (!m_runner->recorder()->session().save(m_savePath, &error)) {
            m_err << "finscope-cli: " << error << Qt::endl;
            if (exitCode == ExitOk)
                exitCode = ExitInvalid;
        }
    }
    m_out.flush();
    m_err.flush();
    emit done(exitCode);
}

} // namespace finscope
