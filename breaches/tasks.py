from celery import shared_task


@shared_task
def escalate() -> int:
    from .services import escalate_unacknowledged

    return escalate_unacknowledged()


@shared_task
def remind() -> int:
    from .services import remind_inactive

    return remind_inactive()


@shared_task
def disposals() -> int:
    from .services import list_disposals

    return list_disposals()
