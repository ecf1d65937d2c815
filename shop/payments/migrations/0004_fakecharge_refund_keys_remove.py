# The fake provider's refunds are its own rows since 0003; altering the table is kept
# apart from that migration's data changes (PostgreSQL refuses to alter a table with
# pending deferred-constraint events in the same transaction).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0003_provider_confirmed'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='fakecharge',
            name='refund_keys',
        ),
    ]
