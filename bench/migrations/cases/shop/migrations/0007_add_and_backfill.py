from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField(model_name='order', name='plan', field=models.TextField(null=True)),
        migrations.RunSQL("UPDATE shop_order SET plan = 'free' WHERE plan IS NULL", migrations.RunSQL.noop),
    ]
