class M < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    User.where(plan: nil).in_batches.update_all(plan: 'free')
  end
end
