#pragma once

// The client pane: where to connect, Connect, and the controls of each client connection made.

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace finscope {

class ConnectionPanel;
class Endpoint;
class Workbench;

class ClientPane : public QWidget
{
    Q_OBJECT
public:
    explicit ClientPane(Workbench *workbench, QWidget *parent = nullptr);

    void setTarget(const QString &host, quint16 port);
    QString host() const;
    quint16 port() const;
    ConnectionPanel *currentPanel() const;

public slots:
    void connectToTarget();

signals:
    void hint(const QString &text);

private:
    void addClient(Endpoint *endpoint);

    Workbench *m_workbench;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QPushButton *m_connect;
    QLabel *m_status;
    QStackedWidget *m_panels;
};

} // namespace finscope
