// How truthful the recorded end of TIME_WAIT is: N connections are closed client first, so each
// client end records TIME_WAIT with the kernel's timer; FinScope looks again when that timer
// fires. Prints, per end, the timer, and how far the recorded "gone from the kernel table" falls
// after t + expires_ms (the timer wheel fires late by a fraction of the timeout). Takes about
// 61 s. Usage: bench_timewait [N]  (default 5)

#include "engine/run/recorder.h"
#include "engine/socket/endpoint.h"
#include "engine/socket/listener.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

using namespace finscope;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int count = argc > 1 ? std::atoi(argv[1]) : 5;
    Recorder recorder;
    Listener listener;
    int err = 0;
    QString error;
    if (!listener.listenOn(QHostAddress::LocalHost, 0, &err, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    QList<Endpoint *> servers;
    QObject::connect(&listener, &Listener::descriptorAccepted, &app, [&](qintptr fd) {
        auto *server = new Endpoint(Side::Server, quint32(servers.size() + 1), recorder.clock());
        recorder.attach(server, QStringLiteral("127.0.0.1:0"));
        server->adoptDescriptor(fd);
        servers.append(server);
    });
    QList<Endpoint *> clients;
    for (int i = 0; i < count; ++i) {
        auto *client = new Endpoint(Side::Client, quint32(i + 1), recorder.clock());
        recorder.attach(client, QStringLiteral("127.0.0.1"));
        QObject::connect(client, &Endpoint::connected, client, [client] {
            client->close(); // the client's FIN goes first: it keeps TIME_WAIT
        });
        QObject::connect(client, &Endpoint::closed, &app, [&app, &servers, i] {
            QTimer::singleShot(50, &app, [&servers, i] {
                if (i < servers.size())
                    servers[i]->close();
            });
        });
        client->connectToHost(QStringLiteral("127.0.0.1"), listener.serverPort());
        clients.append(client);
    }
    QTimer::singleShot(63'000, &app, &QCoreApplication::quit);
    app.exec();

    const auto &events = recorder.events().events();
    for (int i = 0; i < count; ++i) {
        qint64 endsNs = -1;
        qint64 goneNs = -1;
        qint32 timer = -1;
        for (const Event &e : events) {
            if (e.side != Side::Client || e.conn != quint32(i + 1) || e.kind != EventKind::State)
                continue;
            if (e.state == TcpState::TimeWait) {
                endsNs = e.tNs + qint64(e.expiresMs) * 1'000'000;
                timer = e.expiresMs;
            } else if (e.state == TcpState::Close && endsNs >= 0) {
                goneNs = e.tNs;
            }
        }
        if (endsNs < 0 || goneNs < 0) {
            std::printf("client %d: TIME_WAIT %s, gone %s\n",
                        i + 1,
                        endsNs < 0 ? "not recorded" : "recorded",
                        goneNs < 0 ? "not seen" : "seen");
            continue;
        }
        std::printf("client %d: timer %d ms; gone seen %.1f ms after t + expires_ms\n",
                    i + 1,
                    timer,
                    double(goneNs - endsNs) / 1e6);
    }
    return 0;
}
