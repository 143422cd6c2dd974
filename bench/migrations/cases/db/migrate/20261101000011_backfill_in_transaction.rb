class M < ActiveRecord::Migration[7.1]
  def change
    add_column :users, :plan, :string
    User.update_all(plan: 'free')
  end
end
