"""`python -m ops.staff grant|revoke EMAIL [--stage local]`: make an account MailExpert staff, or not.
`python -m ops.staff resume-sending EMAIL`: lift a pause of the account's sending for bounces or
complaints (chalicelib.delivery.reputation), once its holder has cleaned the lists.

The staff flag is set only here, from a shell with access to the stage's AWS account (locally:
the running `make run` stack); no route of the app can set it. Each change is in the audit log.
"""

import argparse
import sys

from devstack.lambdas import load_app


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="ops.staff")
    parser.add_argument("action", choices=("grant", "revoke", "resume-sending"))
    parser.add_argument("email")
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    load_app(args.stage)  # the stage's environment: table names, region, endpoint
    from chalicelib.composition import services
    from chalicelib.accounts.audit import AuditEvent

    account = services().accounts.by_email(args.email)
    if account is None:
        print(f"no account uses {args.email}")
        return 2
    if args.action == "resume-sending":
        services().reputation.resume(account)
        print(f"{args.email}: sending resumed")
        return 0
    account.staff = args.action == "grant"
    services().accounts.save(account)
    services().audit_log.record(account.account_id, AuditEvent.STAFF_GRANTED if account.staff else AuditEvent.STAFF_REVOKED,
                          None, by="command line")
    print(f"{args.email}: staff {'granted' if account.staff else 'revoked'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
