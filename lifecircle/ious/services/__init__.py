"""Every write about IOUs. Re-exported here so callers import from one place."""

from lifecircle.ious.services.proposals import (
    iou_cancel,
    iou_confirm,
    iou_propose,
    ious_expired_close,
    percent,
)
from lifecircle.ious.services.repayments import iou_auto_debit, iou_remind_due, iou_repay, ious_due_run

__all__ = [
    "iou_auto_debit",
    "iou_cancel",
    "iou_confirm",
    "iou_propose",
    "iou_remind_due",
    "iou_repay",
    "ious_due_run",
    "ious_expired_close",
    "percent",
]
