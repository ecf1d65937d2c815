"""Local HTTP fakes of WeChat Pay's and Alipay's APIs, for tests and development
(``manage.py run_payment_fakes``): they check the shop's request signatures, keep
trades and refunds in memory, and sign their answers and notifications as the
providers do, with key pairs made when they start. Never used by a live shop."""
