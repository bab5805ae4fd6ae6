#include "signalwatch.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace finscope {

namespace {

constexpr int Watched[] = {SIGINT, SIGTERM, SIGHUP};

// The handler can reach nothing but a global; it is set before the handlers and cleared after.
volatile sig_atomic_t writeFd = -1;

void handleSignal(int signo)
{
    const int saved = errno;
    const unsigned char number = static_cast<unsigned char>(signo);
    // A full pipe (dozens of signals unread) loses only repeats of what is already there.
    [[maybe_unused]] const ssize_t n = ::write(writeFd, &number, 1);
    errno = saved;
}

void setHandler(int signo, void (*handler)(int), int flags)
{
    struct sigaction action = {};
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigemptyset(&action.sa_mask);
    ::sigaction(signo, &action, nullptr);
}

} // namespace

SignalWatch::SignalWatch(QObject *parent)
    : QObject(parent)
{}

SignalWatch::~SignalWatch()
{
    if (m_readFd < 0)
        return;
    for (const int signo : Watched)
        setHandler(signo, SIG_DFL, 0);
    setHandler(SIGPIPE, SIG_DFL, 0);
    const int fd = writeFd;
    writeFd = -1;
    ::close(fd);
    ::close(m_readFd);
}

bool SignalWatch::install(QString *error)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        *error = QStringLiteral("cannot watch for signals: %1").arg(qt_error_string(errno));
        return false;
    }
    m_readFd = fds[0];
    writeFd = fds[1];
    m_notifier = new QSocketNotifier(m_readFd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatch::handleReadable);
    // SA_RESETHAND: the first signal of a kind asks for an orderly end, the second one gets it
    // the default way. SA_RESTART: no call elsewhere sees EINTR for it.
    for (const int signo : Watched)
        setHandler(signo, handleSignal, SA_RESETHAND | SA_RESTART);
    setHandler(SIGPIPE, SIG_IGN, 0);
    return true;
}

QString SignalWatch::name(int signo)
{
    switch (signo) {
    case SIGINT:
        return QStringLiteral("SIGINT");
    case SIGTERM:
        return QStringLiteral("SIGTERM");
    case SIGHUP:
        return QStringLiteral("SIGHUP");
    default:
        return QStringLiteral("signal %1").arg(signo);
    }
}

void SignalWatch::handleReadable()
{
    unsigned char numbers[64];
    const ssize_t n = ::read(m_readFd, numbers, sizeof numbers);
    for (ssize_t i = 0; i < n; ++i)
        emit caught(numbers[i]);
}

} // namespace finscope
